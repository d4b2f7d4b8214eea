// The audit row of an outbound request (SPEC §9): every attempt of a delivery and every ping, one
// shape for both, so a ping's row reads like an attempt's (no delivery, no attempt number).
import { type AuditInput, headersSha256 } from '../audit/append.ts';
import type { SendResult } from '../platform/http-client.ts';

export interface OutboundRequest {
  workspaceId: string;
  subscriptionId: string;
  deliveryId: string | null;
  eventType: string;
  /** The headers sent; only their canonical SHA-256 is kept. */
  headers: Record<string, string>;
  payloadSha256: string;
  startedAt: Date;
  attempt: number | null;
  result: SendResult;
}

export const outboundAuditRow = (r: OutboundRequest): AuditInput => ({
  workspaceId: r.workspaceId, direction: 'OUTBOUND', triggerId: null, subscriptionId: r.subscriptionId, deliveryId: r.deliveryId,
  eventType: r.eventType, headersSha256: headersSha256(r.headers), payloadSha256: r.payloadSha256, occurredAt: r.startedAt,
  durationMs: r.result.durationMs, attempt: r.attempt, statusCode: r.result.statusCode, outcome: r.result.errorClass === null ? 'SUCCEEDED' : 'FAILED',
  errorClass: r.result.errorClass, sourceIp: null,
});
