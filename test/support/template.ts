// Builds the template database every test file clones: migrations plus pg-boss's schema.
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { migrate } from '../../src/platform/db/migrator.ts';
import { createPool } from '../../src/platform/db/pool.ts';

export const withDatabase = (serverUrl: string, database: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

export async function prepareTemplate(serverUrl: string): Promise<string> {
  const name = `gw_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = withDatabase(serverUrl, name);
  const pool = createPool(url, 2);
  await migrate(pool);
  await pool.end();
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 2 });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false, close: true });
  return name;
}
