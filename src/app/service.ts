// Assembles the service from a validated Config: database (embedded or DATABASE_URL), migrations,
// pg-boss, realtime, then the roles asked for. main.ts wraps it with process concerns; tests start
// it in-process.
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { type Config, ConfigError } from '../platform/config.ts';
import { embeddedPasswordFile, startEmbeddedPostgres } from '../platform/db/embedded.ts';
import { migrate } from '../platform/db/migrator.ts';
import { PipelinedConnection, createPool } from '../platform/db/pool.ts';
import { prepareAgentRunInsert } from '../agent/agent-run-job.ts';
import { prepareFannedOutJobs } from '../events/outbox.ts';
import { subscriptionFilters } from '../events/subscription-filters.ts';
import { replayWindowProblem } from '../inbound/triggers.ts';
import { countExpiringCertificates } from '../outbound/subscription-tls.ts';
import { createPrisma } from '../platform/db/prisma.ts';
import { createBoss } from '../platform/jobs/boss.ts';
import { keepQueueStatistics } from '../platform/jobs/queue-statistics.ts';
import { ensureQueues, startWorkers } from './job-registry.ts';
import { DeliveryClient } from '../platform/http-client.ts';
import { OwnAddresses } from '../platform/target-guard.ts';
import { Realtime } from '../platform/realtime.ts';
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
    const { databaseUrl, masterKey, pool, pipelines, db } = await openDatabase(config, log, cleanups);
    const boss = await startQueue(databaseUrl, config, log, cleanups);
    const realtime = new Realtime(pool, log);
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
      config, log, pool, pipelines, db, boss, realtime, cipher: new SecretCipher(masterKey), deliveryClient, metrics,
      deploymentId: deploymentId(masterKey), ownAddresses: new OwnAddresses(config.publicUrl), tls,
    };
    // Listening for subscription changes from the start, before the first publish needs the cache.
    subscriptionFilters(services);
    const bootstrap = await bootstrapDefaultWorkspace(pool, db, config.dataDir);

    if (config.role === 'worker' || config.role === 'all') {
      await startWorkers(boss, services);
      const stop = keepQueueStatistics(pool, log);
      cleanups.push(['queue statistics', async () => stop()]);
    }
    const urls = config.role === 'api' || config.role === 'all' ? await serveHttp(services, cleanups) : undefined;
    return { services, url: urls?.url, tlsUrl: urls?.tlsUrl, bootstrap, stop: stopAll, reloadTls: () => tls.reload() };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The database (embedded, or DATABASE_URL's), migrated, and the connections to it. */
async function openDatabase(config: Config, log: Logger, cleanups: Cleanups) {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log.info({ dir: config.embeddedPgDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
    const embedded = await startEmbeddedPostgres({ dir: config.embeddedPgDir, port: config.embeddedPgPort, passwordFile: embeddedPasswordFile(config.dataDir) });
    cleanups.push(['embedded postgres', () => embedded.stop()]);
    databaseUrl = embedded.url();
  }
  const masterKey = config.masterKey ?? (await loadOrCreateMasterKey(config.dataDir));

  const pool = createPool(databaseUrl, config.databasePoolSize);
  cleanups.push(['pool', () => pool.end()]);
  const pipelines = { inbound: new PipelinedConnection(databaseUrl), events: new PipelinedConnection(databaseUrl), deliveries: new PipelinedConnection(databaseUrl) };
  cleanups.push(['pipelined connections', () => Promise.all(Object.values(pipelines).map((p) => p.end()))]);
  const applied = await migrate(pool);
  if (applied.length > 0) log.info({ migrations: applied }, 'applied migrations');
  const windowProblem = await replayWindowProblem(pool, config.replayWindowHours);
  if (windowProblem) throw new ConfigError([windowProblem]);
  const db = createPrisma(pool);
  cleanups.push(['prisma', () => db.$disconnect()]);
  return { databaseUrl, masterKey, pool, pipelines, db };
}

async function startQueue(databaseUrl: string, config: Config, log: Logger, cleanups: Cleanups): Promise<PgBoss> {
  const boss = createBoss(databaseUrl, log, config.role);
  await boss.start();
  cleanups.push(['pg-boss', () => boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true })]);
  await ensureQueues(boss);
  // pg-boss's insert statements the hot paths reuse: a pg-boss that changed them fails here.
  await Promise.all([prepareFannedOutJobs(boss), prepareAgentRunInsert(boss)]);
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
