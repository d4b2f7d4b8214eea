// Each test file gets its own database, cloned from the migrated template (scripts/test.mjs).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from './template.ts';

const serverUrl = () => {
  const url = process.env.TEST_PG_SERVER_URL;
  if (!url) throw new Error('run tests through `npm test` (scripts/test.mjs), which provides TEST_PG_SERVER_URL');
  return url;
};

export async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A fresh database: migrated (cloned from the template) or empty. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<string> {
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const template = process.env.TEST_PG_TEMPLATE;
  await adminQuery(options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`);
  return withDatabase(serverUrl(), name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^gw_test_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
