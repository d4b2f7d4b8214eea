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

  readonly auditChainHeadSeq = new Gauge({
    name: 'webhook_gateway_audit_chain_head_seq',
    help: 'The newest audit row the scheduled verification reached, per workspace (compare with a head kept outside the database)',
    labelNames: ['workspace'] as const,
    registers: [this.registry],
  });

  readonly auditChainBroken = new Gauge({
    name: 'webhook_gateway_audit_chain_broken',
    help: '1 while the scheduled verification finds the workspace\'s audit chain broken, else 0',
    labelNames: ['workspace'] as const,
    registers: [this.registry],
  });

  readonly auditChainBreaches = counter(this.registry, 'webhook_gateway_audit_chain_breaches_total', 'Audit chain breaches found by the scheduled verification (each counted once)', ['workspace'] as const);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'webhook_gateway_' });
  }
}
