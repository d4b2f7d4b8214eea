// Prometheus metrics (SPEC §11). One registry per process; /metrics renders it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A certificate counts as expiring this long before its notAfter (and once it has expired). */
export const CERTIFICATE_WARNING_MS = 14 * 86_400_000;
const SCRAPE_READ_TIMEOUT_MS = 2000;

/** Counts, by source label, of the certificates a part of the gateway holds that expire within `withinMs`. */
export type CertificateCounter = (withinMs: number) => Promise<Record<string, number>>;

const counter = <T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[]) =>
  new Counter<T>({ name, help, labelNames, registers: [registry] });

const gauge = <T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[] = []) =>
  new Gauge<T>({ name, help, labelNames, registers: [registry] });

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = counter(this.registry, 'webhook_gateway_http_requests_total', 'HTTP requests answered, by route and status code', ['route', 'status'] as const);

  readonly inboundRequests = counter(this.registry, 'webhook_gateway_inbound_requests_total', 'Inbound webhook requests, by outcome (accepted, ignored, replayed, or the refusal code)', ['outcome'] as const);

  readonly deliveries = counter(this.registry, 'webhook_gateway_deliveries_total', 'Outbound delivery attempts, by outcome', ['outcome'] as const);

  readonly attemptLatency = new Histogram({
    name: 'webhook_gateway_attempt_duration_seconds',
    help: 'Outbound attempt duration, from connect to response or timeout',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly queueDepth = gauge(this.registry, 'webhook_gateway_queue_depth', 'Jobs waiting per queue (created or retry), read at scrape time', ['queue'] as const);

  /**
   * Every configured certificate that expires within 14 days, by where it is configured (`source`):
   * outbound_client and outbound_ca for subscriptions; other parts add theirs (countCertificates).
   */
  readonly certificatesExpiring = new Gauge({
    name: 'webhook_gateway_certificates_expiring',
    help: 'Configured certificates that expire within 14 days (or have expired), by where they are configured, read at scrape time',
    labelNames: ['source'] as const,
    registers: [this.registry],
    collect: () => this.#countCertificates(),
  });

  readonly deliveryTlsPools = new Gauge({
    name: 'webhook_gateway_delivery_tls_pools',
    help: 'Connection pools the delivery client keeps for TLS identities (a client certificate and CA set each)',
    registers: [this.registry],
    collect: () => {
      if (this.#tlsPools) this.deliveryTlsPools.set(this.#tlsPools());
    },
  });

  readonly #certificateCounters: CertificateCounter[] = [];
  #tlsPools: (() => number) | undefined;

  readonly graphqlWsClosed = counter(this.registry, 'webhook_gateway_graphql_ws_closed_total', 'graphql-ws sockets the gateway closed: revoked (the key was revoked), slow_reader (too much waiting to be sent)', ['reason'] as const);

  readonly graphqlWsLiveSubscriptions = gauge(this.registry, 'webhook_gateway_graphql_ws_live_subscriptions', 'Live graphql-ws subscriptions on this process');

  readonly graphqlWsLiveGroups = gauge(this.registry, 'webhook_gateway_graphql_ws_live_groups', 'Groups the live subscriptions of this process form: one per workspace, role and operation (text, name, variables); a group executes and serializes each update once for all its subscriptions');

  readonly keyLookups = counter(this.registry, 'webhook_gateway_key_lookups_total', 'Bearer keys and console sessions checked: from the process\'s cache (hit) or the database (miss)', ['result'] as const);

  readonly retentionRemoved = counter(this.registry, 'webhook_gateway_retention_removed_total', 'Rows the retention job removed, by table', ['table'] as const);

  readonly auditChainHeadSeq = gauge(this.registry, 'webhook_gateway_audit_chain_head_seq', 'The newest audit row the scheduled verification reached, per workspace (compare with a head kept outside the database)', ['workspace'] as const);

  readonly auditChainBroken = gauge(this.registry, 'webhook_gateway_audit_chain_broken', '1 while the scheduled verification finds the workspace\'s audit chain broken, else 0', ['workspace'] as const);

  readonly auditChainBreaches = counter(this.registry, 'webhook_gateway_audit_chain_breaches_total', 'Audit chain breaches found by the scheduled verification (each counted once)', ['workspace'] as const);

  readonly auditExportRows = counter(this.registry, 'webhook_gateway_audit_export_rows_total', 'Audit export rows: read from the database (read), and handed to the operating system for the client (sent); read minus sent is what exports hold', ['stage'] as const);

  readonly auditExportsWaiting = gauge(this.registry, 'webhook_gateway_audit_exports_waiting', 'Audit exports paused until their client reads what was sent (backpressure)');

  readonly auditExports = counter(this.registry, 'webhook_gateway_audit_exports_total', 'Audit exports that ended, by how: completed, client_closed, stalled (the client read nothing for AUDIT_EXPORT_STALL_MS), failed', ['outcome'] as const);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'webhook_gateway_' });
  }

  /** Adds a source of certificates to certificatesExpiring, counted at each scrape. */
  countCertificates(count: CertificateCounter): void {
    this.#certificateCounters.push(count);
  }

  /** Where deliveryTlsPools reads its value at each scrape. */
  countTlsPools(read: () => number): void {
    this.#tlsPools = read;
  }

  /** A counter that fails or does not answer in time leaves its sources at their last values. */
  async #countCertificates(): Promise<void> {
    await Promise.all(this.#certificateCounters.map(async (count) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('late')), SCRAPE_READ_TIMEOUT_MS)));
      try {
        const counts = await Promise.race([count(CERTIFICATE_WARNING_MS), late]);
        for (const [source, n] of Object.entries(counts)) this.certificatesExpiring.set({ source }, n);
      } catch {
        // left at the last values
      } finally {
        clearTimeout(timer);
      }
    }));
  }
}
