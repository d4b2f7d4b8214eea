/** An event as the API shows it: the stored envelope bytes, parsed on read. */
export interface EventRecord {
  id: string;
  type: string;
  body: string;
  idempotencyKey: string | null;
  createdAt: Date;
}
