import type pg from 'pg';
import type { Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config.ts';
import type { Principal } from '../auth/principal.ts';
import type { PipelinedConnection } from '../db/pool.ts';
import type { Db } from '../db/prisma.ts';
import type { SubscriptionFilterSource } from '../events/subscription-filters.ts';
import type { DeliveryClient } from '../outbound/http-client.ts';
import type { OwnAddresses } from '../outbound/target-guard.ts';
import type { Metrics } from './metrics.ts';
import type { Realtime } from '../realtime/realtime.ts';
import type { SecretCipher } from '../secrets/cipher.ts';

/** Everything a request or job may use, built once in main.ts. */
export interface Services {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  /**
   * Pipelined connections (db/pool.ts) for the two group-commit writers: /hooks acceptance, and
   * the delivery workers' recording of attempts. Apart, so neither queues behind the other.
   */
  pipelines: { inbound: PipelinedConnection; deliveries: PipelinedConnection };
  db: Db;
  boss: PgBoss;
  realtime: Realtime;
  /** The ACTIVE subscriptions with a filter, per workspace, cached for the publishing paths. */
  subscriptionFilters: SubscriptionFilterSource;
  cipher: SecretCipher;
  deliveryClient: DeliveryClient;
  metrics: Metrics;
  /** Marks every delivery and ping; /hooks refuses requests carrying it (signing/loop-marker.ts). */
  deploymentId: string;
  /** PUBLIC_URL and the listening addresses: subscriptions may not point here. */
  ownAddresses: OwnAddresses;
}

export interface GraphQLContext {
  services: Services;
  principal: Principal | undefined;
  requestId: string;
}

export interface ViewerRecord {
  principal: Principal;
}
