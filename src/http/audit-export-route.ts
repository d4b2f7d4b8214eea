// GET /v1/audit/export (SPEC §9, §12): the workspace's audit entries, oldest first, as NDJSON, with
// an ADMIN or VIEWER key and auditLog's filters as query parameters. Each batch is written once the
// client has taken the previous one (the response's 'drain'), so a slow client holds back the
// reading instead of filling the gateway's memory; a client that takes nothing for
// AUDIT_EXPORT_STALL_MS is cut off. A response cut short ends without chunked encoding's last
// chunk, so the client can tell it from a complete export, and resumes with `after`.
import express from 'express';
import { type AuditExport, TooManyExports, openAuditExport } from '../audit/export.ts';
import type { AuditFilter } from '../audit/queries.ts';
import { badInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { requireKey } from './auth.ts';
import { sendError, sendRefusal } from './errors.ts';
import { requestLocals } from './request-locals.ts';

export const AUDIT_EXPORT_PATH = '/v1/audit/export';

const ID_PARAMETERS = ['triggerId', 'subscriptionId', 'deliveryId', 'eventType', 'outcome', 'after'] as const;
const PARAMETERS = new Set<string>(['direction', 'occurredAfter', 'occurredBefore', ...ID_PARAMETERS]);

function parseTime(name: string, value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw badInput(name, 'must be an ISO-8601 date-time, e.g. 2026-01-31T00:00:00Z');
  return date;
}

/** The query string as the export's input; an unknown, repeated or malformed parameter is refused by name. */
export function parseExportQuery(query: Record<string, unknown>): { filter: AuditFilter; after?: string } {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!PARAMETERS.has(name)) throw badInput(name, `is not a parameter of the export; use ${[...PARAMETERS].join(', ')}`);
    if (typeof value !== 'string') throw badInput(name, 'must be given once, as text');
    if (value === '' || value.length > 200) throw badInput(name, 'must be 1 to 200 characters');
    text[name] = value;
  }
  if (text.direction !== undefined && text.direction !== 'INBOUND' && text.direction !== 'OUTBOUND') {
    throw badInput('direction', 'must be INBOUND or OUTBOUND');
  }
  const filter: AuditFilter = {
    direction: text.direction as AuditFilter['direction'], triggerId: text.triggerId, subscriptionId: text.subscriptionId,
    deliveryId: text.deliveryId, eventType: text.eventType, outcome: text.outcome,
    occurredAfter: text.occurredAfter === undefined ? undefined : parseTime('occurredAfter', text.occurredAfter),
    occurredBefore: text.occurredBefore === undefined ? undefined : parseTime('occurredBefore', text.occurredBefore),
  };
  return text.after === undefined ? { filter } : { filter, after: text.after };
}

// Rows per write: about 60 KB, kept under V8's large-object size so the text dies young; written as
// a Buffer, so what waits for a slow client waits outside the JavaScript heap instead of being
// promoted into the old space (the gateway must run an export in a small heap).
const WRITE_ROWS = 100;

type Waited = 'drained' | 'closed' | 'stalled';

/** Until the response has handed its buffer to the socket, the client has gone, or `stallMs` passed. */
function drained(res: express.Response, stallMs: number): Promise<Waited> {
  return new Promise((resolve) => {
    const done = (how: Waited) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(how);
    };
    const onDrain = () => done('drained');
    const onClose = () => done('closed');
    const timer = setTimeout(() => done('stalled'), stallMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
    // A client gone while the batch was read has already had its 'close'.
    if (res.destroyed) done('closed');
  });
}

/** Writes the batches after the first; returns how the export ended. */
async function stream(services: Services, res: express.Response, exp: AuditExport, first: IteratorResult<string[]>): Promise<string> {
  const { metrics, config } = services;
  let next = first;
  while (!next.done) {
    if (res.destroyed) return 'client_closed';
    const lines = next.value;
    metrics.auditExportRows.inc({ stage: 'read' }, lines.length);
    let flushed = true;
    for (let i = 0; i < lines.length; i += WRITE_ROWS) {
      const count = Math.min(WRITE_ROWS, lines.length - i);
      flushed = res.write(Buffer.from(lines.slice(i, i + count).join('')), (err) => {
        if (!err) metrics.auditExportRows.inc({ stage: 'sent' }, count);
      });
    }
    if (!flushed) {
      metrics.auditExportsWaiting.inc();
      const how = await drained(res, config.auditExportStallMs).finally(() => metrics.auditExportsWaiting.dec());
      if (how === 'closed') return 'client_closed';
      if (how === 'stalled') return 'stalled';
    }
    next = await exp.batches.next();
  }
  return 'completed';
}

export function auditExportRouter(services: Services): express.Router {
  const router = express.Router();
  const { log, metrics } = services;
  const keyed = requireKey(services, { action: 'read', refuse: (res, refusal) => sendError(res, refusal, log) });
  router.get(AUDIT_EXPORT_PATH, keyed, async (req, res) => {
    let exp: AuditExport;
    let first: IteratorResult<string[]>;
    try {
      exp = openAuditExport(services, requestLocals(res).principal, parseExportQuery(req.query as Record<string, unknown>));
    } catch (err) {
      if (err instanceof TooManyExports) sendRefusal(res, { status: 429, code: 'TOO_MANY_EXPORTS', message: err.message }, { 'Retry-After': '10' });
      else sendError(res, err, log);
      return;
    }
    try {
      // The first batch is read before the answer starts, so a database that does not answer is a 503, not a cut stream.
      first = await exp.batches.next();
    } catch (err) {
      exp.release();
      sendError(res, err, log);
      return;
    }
    res.status(200).set({ 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
    let outcome = 'failed';
    try {
      outcome = await stream(services, res, exp, first);
      if (outcome === 'completed') res.end();
      else res.destroy();
    } catch (err) {
      log.error({ requestId: requestLocals(res).requestId, err: { message: (err as Error).message } }, 'audit export failed');
      res.destroy();
    } finally {
      exp.release();
      await exp.batches.return(undefined).catch(() => {});
      metrics.auditExports.inc({ outcome });
      if (outcome === 'stalled') log.info({ requestId: requestLocals(res).requestId }, 'audit export ended: the client read nothing in time');
    }
  });
  return router;
}
