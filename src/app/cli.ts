// npm run cli -- <command> (SPEC §3). Talks to the same database as the service: as the owner role
// when DATABASE_OWNER_URL is set (the CLI's maintenance is the owner's, SPEC §9), else DATABASE_URL,
// or the embedded PostgreSQL (the running service's, or started here for the command's duration).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { issueApiKey } from '../auth/api-keys.ts';
import { consoleLinkUrl, issueConsoleLink } from '../auth/console-links.ts';
import { ROLES } from '../auth/principal.ts';
import { ConfigError, type Config, loadConfig } from '../platform/config.ts';
import { type EmbeddedDatabase, embeddedDatabaseUrl, embeddedPasswordFile, readEmbeddedPassword, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { migrate } from '../platform/db/migrator.ts';
import { createPool } from '../platform/db/pool.ts';
import { createPrisma, type Db } from '../platform/db/prisma.ts';
import { DomainError } from '../platform/errors.ts';
import { applyTriggerDocument, parseTriggerYaml } from '../inbound/trigger-yaml.ts';
import { triggerUrl } from '../inbound/triggers.ts';
import { SecretCipher } from '../platform/crypto/cipher.ts';
import { loadOrCreateMasterKey } from '../platform/crypto/master-key.ts';
import { createWorkspace, getWorkspace, listWorkspaces } from '../workspaces/workspaces.ts';

const USAGE = `usage:
  npm run cli -- apply <trigger.yaml> [--workspace wsp_...]
  npm run cli -- workspace create <name>
  npm run cli -- key create --role ADMIN|VIEWER|PUBLISHER [--workspace wsp_...] [--name <name>]
  npm run cli -- console-link [--role ADMIN|VIEWER] [--workspace wsp_...] [--ttl-minutes 1-1440]`;

class UsageError extends Error {}

/** False when nothing listens; any other failure (a refused password) is the user's to see. */
async function isRunning(url: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') return false;
    throw new Error(`the embedded PostgreSQL on ${new URL(url).host} refused the CLI: ${(err as Error).message}`, { cause: err });
  } finally {
    await probe.end().catch(() => {});
  }
}

async function withDatabase<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  // The migrator's advisory lock needs a session: past a transaction pooler, DATABASE_LISTEN_URL's.
  let url = config.databaseOwnerUrl ?? config.databaseListenUrl ?? config.databaseUrl;
  let embedded: EmbeddedDatabase | undefined;
  if (!url) {
    // The running service's server, with the password it keeps in the data folder; none there
    // means no server was ever given one (a new or not yet upgraded folder): start it here.
    const password = await readEmbeddedPassword(config.dataDir);
    if (password !== undefined) {
      url = embeddedDatabaseUrl(config.embeddedPgPort, password);
      if (!(await isRunning(url))) url = undefined;
    }
    if (!url) {
      embedded = await startEmbeddedPostgres({ dir: config.embeddedPgDir, port: config.embeddedPgPort, passwordFile: embeddedPasswordFile(config.dataDir) });
      url = embedded.url();
    }
  }
  const pool = createPool(url, 2, { statements: config.databaseStatements });
  const db = createPrisma(pool);
  try {
    await migrate(pool);
    return await fn(db);
  } finally {
    await db.$disconnect();
    await pool.end();
    await embedded?.stop();
  }
}

/** --workspace, or the only workspace there is. */
async function resolveWorkspace(db: Db, given: string | undefined): Promise<string> {
  if (given) {
    if (!(await getWorkspace(db, given))) throw new UsageError(`--workspace: workspace ${given} not found`);
    return given;
  }
  const all = await listWorkspaces(db, 2);
  if (all.length !== 1) throw new UsageError(all.length === 0 ? 'no workspace yet: run `workspace create <name>`' : '--workspace is required when there are several workspaces');
  return all[0]!.id;
}

async function run(argv: string[], config: Config): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, workspace: { type: 'string' }, name: { type: 'string' }, 'ttl-minutes': { type: 'string' } },
  });
  const [noun, verb, ...rest] = positionals;
  if (noun === 'apply') {
    if (!verb) throw new UsageError('apply needs a YAML file');
    const doc = parseTriggerYaml(await readFile(verb, 'utf8'));
    let secret: string | null = null;
    if (doc.signature.secretFrom) {
      const name = doc.signature.secretFrom.slice('env:'.length);
      secret = process.env[name] ?? null;
      if (!secret) throw new UsageError(`${verb}: signature.secretFrom names ${name}, which is not set in the environment`);
    }
    return withDatabase(config, async (db) => {
      const workspaceId = await resolveWorkspace(db, values.workspace);
      const cipher = new SecretCipher(config.masterKey ?? (await loadOrCreateMasterKey(config.dataDir)));
      const result = await applyTriggerDocument({ db, cipher, config }, workspaceId, doc, secret);
      const url = triggerUrl(config.publicUrl, result.trigger.id);
      const what = result.created ? 'created' : result.changed ? 'updated' : 'unchanged';
      return [`trigger ${result.trigger.name} (${result.trigger.id}) ${what}`, `url: ${url}`, ...(result.secret && !secret ? [`secret (shown only now): ${result.secret}`] : [])].join('\n');
    });
  }
  if (noun === 'workspace' && verb === 'create') {
    const name = rest.join(' ');
    if (!name) throw new UsageError('workspace create needs a name');
    return withDatabase(config, async (db) => {
      const { workspace, adminKey } = await createWorkspace(db, name);
      return `workspace ${workspace.id} (${workspace.name})\nADMIN key (shown only now): ${adminKey}`;
    });
  }
  if (noun === 'key' && verb === 'create') {
    const role = values.role?.toUpperCase();
    if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    return withDatabase(config, async (db) => {
      const workspaceId = await resolveWorkspace(db, values.workspace);
      const { apiKey, key } = await issueApiKey(db, workspaceId, { name: values.name ?? `${role.toLowerCase()} key`, role });
      return `${apiKey.role} key ${apiKey.id} for workspace ${workspaceId} (shown only now): ${key}`;
    });
  }
  if (noun === 'console-link') return consoleLink(config, values);
  throw new UsageError(noun ? `unknown command: ${[noun, verb].filter(Boolean).join(' ')}` : 'no command given');
}

/** A one-time console sign-in link; ADMIN unless --role says VIEWER (the operator's own way in). */
async function consoleLink(config: Config, values: { role?: string | undefined; workspace?: string | undefined; 'ttl-minutes'?: string | undefined }): Promise<string> {
  const role = values.role?.toUpperCase() ?? 'ADMIN';
  if (role !== 'ADMIN' && role !== 'VIEWER') throw new UsageError('--role must be ADMIN or VIEWER');
  const ttlText = values['ttl-minutes'] ?? '60';
  const ttlMinutes = /^\d+$/.test(ttlText) ? Number(ttlText) : Number.NaN;
  if (!(ttlMinutes >= 1 && ttlMinutes <= 1440)) throw new UsageError('--ttl-minutes must be a whole number from 1 to 1440');
  return withDatabase(config, async (db) => {
    const workspaceId = await resolveWorkspace(db, values.workspace);
    const { link, token } = await issueConsoleLink(db, workspaceId, { role, ttlMinutes });
    return `${role} console link ${link.id} for workspace ${workspaceId}, valid once until ${link.expiresAt.toISOString()}:\n${consoleLinkUrl(config.publicUrl, token)}`;
  });
}

try {
  const config = loadConfig(process.env, []);
  process.stdout.write(`${await run(process.argv.slice(2), config)}\n`);
} catch (err) {
  if (err instanceof UsageError) process.stderr.write(`${err.message}\n${USAGE}\n`);
  else if (err instanceof ConfigError || err instanceof DomainError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
