// The per-source flood limit on refusals (SPEC §5, §9, §15): a refusal from 403 on writes an
// inbound delivery, an audit row and NOTIFYs, so an unsigned flood against a known trigger would
// write without bound. Per trigger and source address, only the first `limit` refusals of each
// window are recorded; the others are answered alike but only counted, and each window's count is
// written as one summary audit row per trigger and source (on each replica that suppressed some).
//
// Counting: in this process first, so that a flood past the limit costs no database work at all;
// below the limit, each refusal also counts in PostgreSQL (platform/db/rate-limit.ts), so the limit holds
// across replicas. That is at most `limit` extra round trips per trigger, source and window per
// process, and none on the accepted path.
import ipaddr from 'ipaddr.js';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { AuditChainWriter, AuditInput } from '../audit/append.ts';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import { withTransaction } from '../platform/db/pool.ts';
import { countHits } from '../platform/db/rate-limit.ts';
import type { Refusal } from './evaluate.ts';
import type { TriggerContext } from './trigger-context.ts';

/** The outcome of a summary audit row; its `attempt` holds how many refusals it stands for. */
const SUPPRESSED = 'SUPPRESSED';

const EMPTY_SHA256 = sha256Hex('');

/**
 * The address a flood is counted by: an IPv4 address, or an IPv6 address's /64, since one host
 * is commonly handed a whole /64 and could otherwise count afresh from each of its addresses.
 */
function floodSource(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

interface Window {
  triggerId: string;
  workspaceId: string;
  source: string;
  start: number;
  /** Refusals seen here in this window, recorded or not. */
  seen: number;
  /** The shared count passed the limit: no need to ask it again this window. */
  over: boolean;
  suppressed: number;
  /** Status and code of the suppressed refusals while they are all alike (null once they differ). */
  status: number | null | undefined;
  code: string | null | undefined;
  /** Admissions still waiting for the shared count: the summary waits for them. */
  pending: number;
}

export class RefusalLimiter {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #audit: AuditChainWriter;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { pool: pg.Pool; log: Logger; audit: AuditChainWriter }, opts: { limit: number; windowMs: number }) {
    this.#pool = deps.pool;
    this.#audit = deps.audit;
    this.#log = deps.log;
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
  }

  /** Whether this refusal may be recorded; if not, it is counted in its window's summary. */
  async admit(t: TriggerContext, sourceIp: string | undefined, refusal: Refusal): Promise<boolean> {
    const source = floodSource(sourceIp);
    const start = Math.floor(Date.now() / this.#windowMs) * this.#windowMs;
    const key = `${t.id} ${source} ${start}`;
    let w = this.#windows.get(key);
    if (!w) {
      w = { triggerId: t.id, workspaceId: t.workspaceId, source, start, seen: 0, over: false, suppressed: 0, status: undefined, code: undefined, pending: 0 };
      this.#windows.set(key, w);
      this.#arm();
    }
    w.seen++;
    if (!w.over && w.seen <= this.#limit) {
      w.pending++;
      try {
        // The shared window starts with this one (rate_limit_window counts by its start second).
        const hits = await countHits(this.#pool, `refusals:${t.id}:${source}`, 1, start);
        if (hits <= this.#limit) return true;
        w.over = true;
      } finally {
        w.pending--;
      }
    }
    w.suppressed++;
    w.status = w.status === undefined || w.status === refusal.status ? refusal.status : null;
    w.code = w.code === undefined || w.code === refusal.code ? refusal.code : null;
    return false;
  }

  /** Sweeps when the earliest window ends; nothing runs while no refusal is counted. */
  #arm(): void {
    if (this.#timer || this.#windows.size === 0) return;
    const wait = this.#windowMs - (Date.now() % this.#windowMs) + 50;
    this.#timer = setTimeout(() => void this.#sweep(), wait);
    this.#timer.unref();
  }

  async #sweep(): Promise<void> {
    const current = Math.floor(Date.now() / this.#windowMs) * this.#windowMs;
    const ended: Window[] = [];
    for (const [key, w] of this.#windows) {
      if (w.start >= current || w.pending > 0) continue;
      this.#windows.delete(key);
      if (w.suppressed > 0) ended.push(w);
    }
    try {
      if (ended.length > 0) await this.#summarize(ended);
    } catch (err) {
      // Summaries are counts of what was not recorded; losing one must not stop the next.
      this.#log.warn({ err: { message: (err as Error).message }, windows: ended.length }, 'could not write refusal summaries');
    } finally {
      this.#timer = undefined;
      this.#arm();
    }
  }

  async #summarize(ended: Window[]): Promise<void> {
    const byWorkspace = Map.groupBy(ended, (w) => w.workspaceId);
    await this.#audit.retrying(byWorkspace.keys(), () => withTransaction(this.#pool, async (client) => {
      // In workspace order, as the inbound writer locks chain heads, so the two never deadlock.
      for (const [workspaceId, windows] of [...byWorkspace].sort(([a], [b]) => a.localeCompare(b))) {
        await this.#audit.append(client, workspaceId, windows.map((w): AuditInput => ({
          workspaceId, direction: 'INBOUND', triggerId: w.triggerId, subscriptionId: null, deliveryId: null, eventType: null,
          headersSha256: EMPTY_SHA256, payloadSha256: EMPTY_SHA256, occurredAt: new Date(w.start), durationMs: this.#windowMs,
          attempt: w.suppressed, statusCode: w.status ?? null, outcome: SUPPRESSED, errorClass: w.code ?? null, sourceIp: w.source,
        })));
      }
    }));
  }
}
