/** A webhook_audit row as the API shows it (SPEC §9). */
export interface AuditEntryRecord {
  id: string;
  workspaceId: string;
  seq: number;
  direction: 'INBOUND' | 'OUTBOUND';
  triggerId: string | null;
  subscriptionId: string | null;
  deliveryId: string | null;
  eventType: string | null;
  headersSha256: string;
  payloadSha256: string;
  occurredAt: Date;
  durationMs: number | null;
  attempt: number | null;
  statusCode: number | null;
  outcome: string;
  errorClass: string | null;
  sourceIp: string | null;
  hash: string;
}
