// Prometheus metrics (SPEC §11). One registry per process; /metrics renders it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const counter = <T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[]) =>
  new Counter<T>({ name, help, labelNames, registers: [registry] });

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

  readonly queueDepth = new Gauge({
    name: 'webhook_gateway_queue_depth',
    help: 'Jobs waiting per queue (created or retry), read at scrape time',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly graphqlWsClosed = counter(this.registry, 'webhook_gateway_graphql_ws_closed_total', 'graphql-ws sockets the gateway closed: revoked (the key was revoked), slow_reader (too much waiting to be sent)', ['reason'] as const);

  readonly auditExportRows = counter(this.registry, 'webhook_gateway_audit_export_rows_total', 'Audit export rows: read from the database (read), and handed to the operating system for the client (sent); read minus sent is what exports hold', ['stage'] as const);

  readonly auditExportsWaiting = new Gauge({
    name: 'webhook_gateway_audit_exports_waiting',
    help: 'Audit exports paused until their client reads what was sent (backpressure)',
    registers: [this.registry],
  });

  readonly auditExports = counter(this.registry, 'webhook_gateway_audit_exports_total', 'Audit exports that ended, by how: completed, client_closed, stalled (the client read nothing for AUDIT_EXPORT_STALL_MS), failed', ['outcome'] as const);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'webhook_gateway_' });
  }
}
