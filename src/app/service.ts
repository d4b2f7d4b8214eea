// Assembles the service from a validated Config: database (embedded or DATABASE_URL), migrations,
// pg-boss, realtime, then the roles asked for. main.ts wraps it with process concerns; tests start
// it in-process.
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { type Config, ConfigError } from '../platform/config.ts';
import path from 'node:path';
import pg from 'pg';
import { sealAuditCheckpoints } from '../audit/verification.ts';
import { embeddedPasswordFile, loadOrCreatePassword, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { MigrationError, migrate, readMigrations } from '../platform/db/migrator.ts';
import { type RoleNames, grantServiceRights, ownsAuditTable, provisionRoles, roleOf, serviceRoleProblems } from '../platform/db/roles.ts';
import { PipelinedConnection, type PipelineOptions, createPool } from '../platform/db/pool.ts';
import { eventsInsert } from '../events/outbox.ts';
import { recordStatements } from '../inbound/record.ts';
import { subscriptionFilters } from '../events/subscription-filters.ts';
import { replayWindowProblem } from '../inbound/triggers.ts';
import { countExpiringCertificates } from '../outbound/subscription-tls.ts';
import { createPrisma } from '../platform/db/prisma.ts';
import { createBoss } from '../platform/jobs/boss.ts';
import { keepTableStatistics } from '../platform/jobs/table-statistics.ts';
import { ensureQueues, startWorkers } from './job-registry.ts';
import { DeliveryClient } from '../platform/http-client.ts';
import { OwnAddresses } from '../platform/target-guard.ts';
import { Realtime } from '../platform/realtime.ts';
import { ChainKeyring } from '../platform/crypto/chain-key.ts';
import { SecretCipher } from '../platform/crypto/cipher.ts';
import { loadOrCreateMasterKey } from '../platform/crypto/master-key.ts';
import { deploymentId } from '../signing/loop-marker.ts';
import { createHttpServer } from '../http/app.ts';
import type { Services } from '../platform/services.ts';
import { Metrics } from '../platform/metrics.ts';
import { TlsCredentials } from '../platform/tls-credentials.ts';
import { type Bootstrap, bootstrapDefaultWorkspace } from '../workspaces/bootstrap.ts';

export interface RunningService {
  services: Services;
  /** Base URL of the HTTP server (api and all roles). */
  url: string | undefined;
  /** Base URL of the HTTPS server, when TLS_CERT_FILE is set (api and all roles). */
  tlsUrl: string | undefined;
  bootstrap: Bootstrap | undefined;
  stop(): Promise<void>;
  /** Re-reads the TLS files (SIGHUP); false when they were bad and the ones in use were kept. */
  reloadTls(): Promise<boolean>;
}

/** The roles the embedded server's data gets: fixed names, random passwords in the data folder. */
const EMBEDDED_ROLES: RoleNames = { owner: 'webhook_owner', service: 'webhook_service' };

/** What the owner's connections call themselves in pg_stat_activity. */
export const OWNER_APPLICATION_NAME = 'webhook-gateway:owner';

/** What the DATABASE_LISTEN_URL connections call themselves (the LISTEN one renames itself). */
export const SESSION_APPLICATION_NAME = 'webhook-gateway:session';

/** Steps to undo on stop, in the reverse of the order they were taken. */
type Cleanups = Array<[step: string, undo: () => Promise<unknown>]>;

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const cleanups: Cleanups = [];
  const stopAll = async () => {
    for (const [step, fn] of cleanups.reverse()) {
      log.debug({ step }, 'stopping');
      await fn().catch((err) => log.warn({ step, err: { message: (err as Error).message } }, 'shutdown step failed'));
    }
    cleanups.length = 0;
  };

  try {
    const metrics = new Metrics();
    // First: a TLS file that is missing or bad stops start-up before anything else is started.
    const tls = await TlsCredentials.load(config, log, metrics);
    const { databaseUrl, masterKey, chainKeys, pool, sessionPool, ownerPool, pipelines, db } = await openDatabase(config, log, cleanups);
    const { rows: [pgboss] } = await pool.query<{ exists: boolean }>(`SELECT to_regnamespace('pgboss') IS NOT NULL AS exists`);
    const boss = await startQueue(databaseUrl, config, log, cleanups, { createSchema: !pgboss!.exists, listenUrl: config.databaseListenUrl });
    const realtime = new Realtime(sessionPool, log);
    await realtime.start();
    cleanups.push(['realtime', () => realtime.stop()]);
    const deliveryClient = new DeliveryClient({ allowInsecure: config.allowInsecureTargets, allowPrivate: config.allowPrivateTargets, dnsServers: config.outboundDnsServers });
    cleanups.push(['delivery client', () => deliveryClient.close()]);
    metrics.countTlsPools(() => deliveryClient.tlsPools);
    metrics.countCertificates(async (withinMs) => {
      const n = await countExpiringCertificates(pool, withinMs);
      // Read at scrape time: a SIGHUP reload replaces what the gateway holds.
      const soon = (role: string) => tls.held().filter((h) => h.role === role && h.info.notAfter.getTime() < Date.now() + withinMs).length;
      return { outbound_client: n.CLIENT, outbound_ca: n.CA, inbound_server: soon('server'), inbound_client_ca: soon('client-ca') };
    });
    const services: Services = {
      config, log, pool, pipelines, db, boss, realtime, cipher: new SecretCipher(masterKey), chainKeys, ownerPool, deliveryClient, metrics,
      deploymentId: deploymentId(masterKey), ownAddresses: new OwnAddresses(config.publicUrl), tls,
    };
    // Listening for subscription changes from the start, before the first publish needs the cache.
    subscriptionFilters(services);
    const bootstrap = await bootstrapDefaultWorkspace(sessionPool, db, config.dataDir);

    if (config.role === 'worker' || config.role === 'all') await startWorkers(boss, services);
    // Every role: publishing on an API process fills the same tables its own statements read.
    const stopStatistics = keepTableStatistics(pool, log);
    cleanups.push(['table statistics', stopStatistics]);
    const urls = config.role === 'api' || config.role === 'all' ? await serveHttp(services, cleanups) : undefined;
    return { services, url: urls?.url, tlsUrl: urls?.tlsUrl, bootstrap, stop: stopAll, reloadTls: () => tls.reload() };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The database (embedded, or DATABASE_URL's), migrated, and the connections to it. */
async function openDatabase(config: Config, log: Logger, cleanups: Cleanups) {
  const urls = config.databaseUrl
    ? { databaseUrl: config.databaseUrl, ownerUrl: config.databaseOwnerUrl }
    : await startEmbedded(config, log, cleanups);
  const { databaseUrl } = urls;
  const masterKey = config.masterKey ?? (await loadOrCreateMasterKey(config.dataDir));
  const chainKeys = new ChainKeyring([masterKey]);

  const { databaseStatements: statements } = config;
  const pool = createPool(databaseUrl, config.databasePoolSize, { statements });
  cleanups.push(['pool', () => pool.end()]);
  const sessionPool = sessionSide(config, pool, cleanups);
  const pipeline = (options: PipelineOptions = {}) => new PipelinedConnection(databaseUrl, statements, options);
  // Publishes have a second connection for backlogs (events/publish-writer.ts); it connects at its first use.
  // Generic plans for publishes only: measured there (a one-event flush was planned every time); /hooks'
  // statement already ran on its generic plan, and the deliveries' rarer statements read better with values.
  const publishes = { genericPlans: true };
  const pipelines = { inbound: pipeline(), events: [pipeline(publishes), pipeline(publishes)] as const, deliveries: pipeline() };
  cleanups.push(['pipelined connections', () => Promise.all(Object.values(pipelines).flat().map((p) => p.end()))]);
  const ownerPool = await ownerSide(config, urls.ownerUrl, pool, cleanups);
  // Checked before the owner acts too: rights on a table the service role owns are not the owner's to set.
  if (urls.ownerUrl) await assertServiceRole(pool, { repairable: false });
  // The migrator's advisory lock spans its transactions: DATABASE_URL's role migrates on a session.
  if (ownerPool) await prepareAsOwner({ owner: ownerPool, migrator: ownerPool === pool ? sessionPool : ownerPool }, urls.ownerUrl ? roleOf(databaseUrl) : undefined, chainKeys, log);
  else await assertMigrated(pool);
  if (ownerPool !== pool) await assertServiceRole(pool, { repairable: true });
  else if (config.databaseUrl) {
    log.warn('one database role does everything (no DATABASE_OWNER_URL): webhook_audit is append-only against mistakes only; the keyed chain still shows any change (README: Database roles)');
  }
  const windowProblem = await replayWindowProblem(pool, config.replayWindowHours);
  if (windowProblem) throw new ConfigError([windowProblem]);
  const db = createPrisma(pool);
  cleanups.push(['prisma', () => db.$disconnect()]);
  return { databaseUrl, masterKey, chainKeys, pool, sessionPool, ownerPool, pipelines, db };
}

/**
 * The connections that need their session kept (LISTEN; the session advisory locks of migrations and
 * the first-start bootstrap): DATABASE_LISTEN_URL's when set, for a DATABASE_URL that goes through a
 * transaction pooler; otherwise the one pool.
 */
function sessionSide(config: Config, pool: pg.Pool, cleanups: Cleanups): pg.Pool {
  if (!config.databaseListenUrl) return pool;
  const session = createPool(config.databaseListenUrl, 2, { applicationName: SESSION_APPLICATION_NAME, statements: config.databaseStatements });
  cleanups.push(['session pool', () => session.end()]);
  return session;
}

/** The embedded server, its owner and service roles made (or an older data folder upgraded in place). */
async function startEmbedded(config: Config, log: Logger, cleanups: Cleanups): Promise<{ databaseUrl: string; ownerUrl: string }> {
  log.info({ dir: config.embeddedPgDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
  const embedded = await startEmbeddedPostgres({ dir: config.embeddedPgDir, port: config.embeddedPgPort, passwordFile: embeddedPasswordFile(config.dataDir) });
  cleanups.push(['embedded postgres', () => embedded.stop()]);
  const passwords = {
    owner: await loadOrCreatePassword(path.join(config.dataDir, 'db-owner-password')),
    service: await loadOrCreatePassword(path.join(config.dataDir, 'db-service-password')),
  };
  const superuser = new pg.Client({ connectionString: embedded.url() });
  await superuser.connect();
  try {
    await provisionRoles(superuser, EMBEDDED_ROLES, passwords);
  } finally {
    await superuser.end();
  }
  const as = (role: string, password: string) => {
    const url = new URL(embedded.url());
    url.username = role;
    url.password = password;
    return url.toString();
  };
  return { databaseUrl: as(EMBEDDED_ROLES.service, passwords.service), ownerUrl: as(EMBEDDED_ROLES.owner, passwords.owner) };
}

/**
 * The owner's connection, if this process has one: DATABASE_OWNER_URL's (or the embedded owner's),
 * or the one pool when DATABASE_URL's role owns the tables (one role does everything, as before).
 */
async function ownerSide(config: Config, ownerUrl: string | undefined, pool: pg.Pool, cleanups: Cleanups): Promise<pg.Pool | undefined> {
  if (ownerUrl) {
    const owner = createPool(ownerUrl, 2, { applicationName: OWNER_APPLICATION_NAME, statements: config.databaseStatements });
    cleanups.push(['owner pool', () => owner.end()]);
    return owner;
  }
  return config.databaseUrl && (await ownsAuditTable(pool)) ? pool : undefined;
}

/** Migrations, the service role's rights, and the seal of the audit rows written before the keyed chain. */
async function prepareAsOwner(
  { owner, migrator }: { owner: pg.Pool; migrator: pg.Pool }, serviceRole: string | undefined, chainKeys: ChainKeyring, log: Logger,
): Promise<void> {
  const applied = await migrate(migrator);
  if (applied.length > 0) log.info({ migrations: applied }, 'applied migrations');
  if (serviceRole) await grantServiceRights(owner, serviceRole);
  await sealAuditCheckpoints(owner, chainKeys, log);
}

/** Start-up refuses a service role that could remove or rewrite audit rows (SPEC §9). */
async function assertServiceRole(pool: pg.Pool, options: { repairable: boolean }): Promise<void> {
  const problems = await serviceRoleProblems(pool, options);
  if (problems.length > 0) {
    throw new ConfigError([`DATABASE_URL: its role must be the service role, owning no table and holding only INSERT and SELECT on webhook_audit (README: Database roles): ${problems.join('; ')}`]);
  }
}

/** A process without the owner's connection cannot migrate: the database must already be at this version. */
async function assertMigrated(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
  const done = new Set(rows.map((r) => r.migration_name));
  const missing = (await readMigrations()).filter((m) => !done.has(m.name)).map((m) => m.name);
  if (missing.length > 0) {
    throw new MigrationError(`the database lacks migrations ${missing.join(', ')}; start a worker (or an "all" process) with DATABASE_OWNER_URL first, which applies them`);
  }
}

async function startQueue(
  databaseUrl: string, config: Config, log: Logger, cleanups: Cleanups, options: { createSchema: boolean; listenUrl: string | undefined },
): Promise<PgBoss> {
  const boss = createBoss(databaseUrl, log, config.role, options);
  await boss.start();
  cleanups.push(['pg-boss', () => boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true })]);
  await ensureQueues(boss);
  // The hot paths' statements fold pg-boss's insert into theirs: a pg-boss that changed it fails here.
  await Promise.all([eventsInsert(boss), recordStatements(boss)]);
  return boss;
}

/** The api role: HTTP on PORT, and HTTPS on TLS_PORT when configured; returns the URLs they answer on. */
async function serveHttp(services: Services, cleanups: Cleanups): Promise<{ url: string; tlsUrl: string | undefined }> {
  const { config } = services;
  const http = await createHttpServer(services);
  // First to close on shutdown: stop taking requests, drain the ones in flight.
  cleanups.push(['http', () => http.close(config.shutdownTimeoutMs)]);
  const listen = (server: net.Server, port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => resolve((server.address() as AddressInfo).port));
  });
  const port = await listen(http.server, config.port);
  services.ownAddresses.listening(http.server.address());
  const tlsPort = http.tlsServer && config.tls ? await listen(http.tlsServer, config.tls.port) : undefined;
  if (http.tlsServer) services.ownAddresses.listening(http.tlsServer.address());
  return { url: `http://127.0.0.1:${port}`, tlsUrl: tlsPort === undefined ? undefined : `https://127.0.0.1:${tlsPort}` };
}
