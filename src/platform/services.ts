// The infrastructure handles a process builds once at start and hands to routes, resolvers and
// job handlers. Only platform types: a domain's own process-wide state (a cache, say) hangs off
// these handles in the domain (e.g. events/subscription-filters.ts), never in this interface.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import type { Config } from './config.ts';
import type { ChainKeyring } from './crypto/chain-key.ts';
import type { SecretCipher } from './crypto/cipher.ts';
import type { PipelinedConnection } from './db/pool.ts';
import type { Db } from './db/prisma.ts';
import type { DeliveryClient } from './http-client.ts';
import type { Metrics } from './metrics.ts';
import type { Realtime } from './realtime.ts';
import type { OwnAddresses } from './target-guard.ts';
import type { TlsCredentials } from './tls-credentials.ts';

/** Everything a request or job may use, built once at start (src/app/service.ts). */
export interface Services {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  /**
   * The owner role's connection (migrations, audit retention): absent in a process without it (--role
   * api, or a worker given DATABASE_URL alone while another role owns the tables); `pool` itself when
   * one role does everything.
   */
  ownerPool: pg.Pool | undefined;
  /**
   * Pipelined connections (platform/db/pool.ts) for the group-commit writers: /hooks acceptance,
   * API keys' publishes, and the delivery workers' recording of attempts. Apart, so none queues
   * behind another.
   */
  pipelines: { inbound: PipelinedConnection; events: readonly [PipelinedConnection, PipelinedConnection]; deliveries: PipelinedConnection };
  db: Db;
  boss: PgBoss;
  realtime: Realtime;
  cipher: SecretCipher;
  /** The audit chain's HMAC keys, derived from MASTER_KEY; never sent to the database. */
  chainKeys: ChainKeyring;
  deliveryClient: DeliveryClient;
  metrics: Metrics;
  /** Marks every delivery and ping; /hooks refuses requests carrying it (signing/loop-marker.ts). */
  deploymentId: string;
  /** PUBLIC_URL and the listening addresses: subscriptions may not point here. */
  ownAddresses: OwnAddresses;
  /** The HTTPS port's certificate and the client CAs (TLS_*_FILE), re-read on SIGHUP. */
  tls: TlsCredentials;
}
