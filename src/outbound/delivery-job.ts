// One job per delivery attempt (STYLE: Webhook code). A worker takes jobs in batches: it loads the
// batch's deliveries in one query, signs each event's fixed bytes with every active secret of its
// subscription (decrypted just in time), POSTs them side by side through the one delivery client,
// and records the attempts as they come back, in few transactions (BatchRecorder): the attempts and
// their audit rows, the deliveries' new states, each next attempt scheduled with pg-boss
// `startAfter` (SPEC §7), and the jobs whose deliveries are all recorded, completed. A slow receiver
// therefore never holds a co-batched job past its expiry (SPEC §15).
// HTTP failures never throw: the retry schedule and Retry-After are ours, not pg-boss's.
import type pg from 'pg';
import type { JobAttempt } from 'pg-boss';
import { type AuditChainWriter, auditWriter } from '../audit/append.ts';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import { type Pipeline, withTransaction } from '../platform/db/pool.ts';
import { DELIVERY_QUEUE, type DeliveryJob, deliveryPayload, queueDeliveries } from '../events/delivery-queue.ts';
import { inTransaction, sendThroughBoss } from '../platform/jobs/in-transaction.ts';
import { defineJob } from '../platform/jobs/job.ts';
import { chunkedMessages } from '../platform/realtime.ts';
import { subscriptionSecrets } from '../secrets/secret-store.ts';
import { countHitsEach } from '../platform/db/rate-limit.ts';
import type { Services } from '../platform/services.ts';
import type { SendResult } from '../platform/http-client.ts';
import { statsCte } from './delivery-stats.ts';
import { outboundAuditRow } from './outbound-audit.ts';
import { nextAttemptDelay } from './retry-policy.ts';
import { type StoredOAuth2, sendWithToken } from './oauth2.ts';
import { deliveryHeaders } from './sign-delivery.ts';
import { openHeaders } from './subscription-headers.ts';
import { loadTls } from './subscription-tls.ts';
import type { DeliveryUpdatedMessage } from './deliveries.ts';
import { markDisabled } from './subscriptions.ts';

/** A fetched job's deliveries, and the job's attempt so it can be completed as soon as they are. */
export interface FetchedDeliveries {
  deliveryIds: string[];
  job?: JobAttempt;
}

export const deliverEvent = defineJob({
  name: DELIVERY_QUEUE,
  payload: deliveryPayload,
  // Jobs also expire per job just above their subscription's timeout (queueDeliveries), so a job
  // held by a killed worker runs again within seconds. pg-boss's few retries only cover expiry and
  // infrastructure errors such as a lost database connection; the sweeper (delivery-sweeper.ts)
  // queues again whatever they do not.
  queue: { retryLimit: 3, retryDelay: 2, expireInSeconds: 35, notify: true, deleteAfterSeconds: 3600 },
  // burstWhenBatchFull: while fetches come back full, fetch again at once instead of waiting to poll.
  // A fetch of 20 jobs brings up to 500 first attempts, or 20 retries. Four loops, so that a few
  // batches held by slow receivers (a loop fetches again once its whole batch is answered) leave
  // others fetching. Measured with bench/outbound (CPU per delivery, 100 subscriptions): a batch's
  // costs per subscription (its secrets, its rollup row) halve per delivery against 10 jobs; the
  // database's CPU per delivery fell by ~12 %, the gateway's by a few %.
  work: { batchSize: 20, localConcurrency: 4, burstWhenBatchFull: true },
  handler: async ({ deliveryIds }, services, job) => attemptBatch(services, [{ deliveryIds, job }]),
  handleBatch: async (items, services) => attemptBatch(services, items.map((i) => ({ deliveryIds: i.data.deliveryIds, job: i.job }))),
});

interface Target {
  delivery_id: string;
  status: string;
  attempt_count: number;
  /** When it became due, in epoch ms: only concurrency caps order by it, so no Date is parsed per row. */
  due_ms: number;
  workspace_id: string;
  event_id: string;
  event_type: string;
  body: string;
  /** The event's gateway hops (signing/loop-marker.ts): the delivery makes one more. */
  hops: number;
  subscription_id: string;
  url: string;
  headers: Array<{ name: string; value: string }>;
  oauth2: StoredOAuth2 | null;
  /** SHA-256 of its client certificate and CA set: the connection pool it sends through. */
  tls_identity: string | null;
  timeout_ms: number;
  rate_limit_per_second: number | null;
  max_concurrency: number | null;
  sub_status: string;
}

/**
 * A batch's deliveries are looked up by key, and only then checked for PENDING. The status is
 * compared as text so that PostgreSQL can never serve it from an index on status (there was one):
 * statistics outdated by a burst put PENDING rows at about one, and it then filtered every PENDING
 * row against the batch (measured: 1.5 s instead of 2 ms for 250 deliveries).
 */
const STILL_PENDING = `d.status::text = 'PENDING'`;

const jobOf = (t: Pick<Target, 'delivery_id' | 'timeout_ms'>, startAfter?: Date): DeliveryJob => ({
  deliveryId: t.delivery_id, timeoutMs: t.timeout_ms, ...(startAfter ? { startAfter } : {}),
});

/**
 * A fetched batch: its deliveries still PENDING are loaded in one query, held back by their
 * subscription's rate limit or concurrency cap if need be, and the rest sent side by side and
 * recorded as they come back.
 */
export async function attemptBatch(services: Services, fetched: FetchedDeliveries[]): Promise<void> {
  const { pool, boss } = services;
  const loaded = await loadTargets(pool, [...new Set(fetched.flatMap((f) => f.deliveryIds))]);
  const { now, later, reservedSecond } = await reserveRateSlots(pool, loaded);
  const parked = await takeSlots(pool, now);
  const targets = now.filter((t) => !parked.has(t.delivery_id));
  // One statement each, on pg-boss's own connections: nothing else has to commit with them.
  await queueDeliveries(boss, later);
  if (targets.length === 0) return;
  await sendAll(services, fetched, targets, reservedSecond);
}

/**
 * The batch's PENDING deliveries with their event and subscription. Those of a DISABLED
 * subscription are CANCELLED instead: fan-out only targets ACTIVE subscriptions, but a test event
 * may go to one still being verified, and one may be disabled while its deliveries wait.
 */
async function loadTargets(pool: pg.Pool, deliveryIds: string[]): Promise<Target[]> {
  const { rows } = await pool.query<Target>({
    name: 'delivery-targets',
    text: `SELECT d.id AS delivery_id, d.status, d.attempt_count, (extract(epoch FROM coalesce(d.next_attempt_at, d.created_at)) * 1000)::float8 AS due_ms, d.workspace_id,
                  e.id AS event_id, e.type AS event_type, e.body, e.hops,
                  s.id AS subscription_id, s.url, s.headers, s.oauth2, s.tls_identity, s.timeout_ms, s.rate_limit_per_second, s.max_concurrency, s.status AS sub_status
           FROM outbound_delivery d JOIN event e ON e.id = d.event_id JOIN webhook_subscription s ON s.id = d.subscription_id
           WHERE d.id = ANY($1::text[]) AND ${STILL_PENDING}`,
  }, [deliveryIds]);
  const cancelled = rows.filter((t) => t.sub_status === 'DISABLED');
  if (cancelled.length > 0) {
    await pool.query(`UPDATE outbound_delivery d SET status = 'CANCELLED', next_attempt_at = NULL, updated_at = now() WHERE d.id = ANY($1::text[]) AND ${STILL_PENDING}`, [cancelled.map((t) => t.delivery_id)]);
  }
  return rows.filter((t) => t.sub_status !== 'DISABLED');
}

/**
 * Rate limits: reserves this second's slots for all the batch's limited subscriptions in one upsert;
 * the deliveries past the limit get a job in the second where their turn falls (`later`). Only that
 * subscription waits. `reservedSecond` is the second each delivery sent now holds a slot in.
 */
async function reserveRateSlots(pool: pg.Pool, targets: Target[]): Promise<{ now: Target[]; later: DeliveryJob[]; reservedSecond: Map<string, number> }> {
  const later: DeliveryJob[] = [];
  const reservedSecond = new Map<string, number>();
  const deferred = new Set<string>();
  const limited = Map.groupBy(targets.filter((t) => t.rate_limit_per_second !== null), (t) => t.subscription_id);
  if (limited.size === 0) return { now: targets, later, reservedSecond };
  const now = Date.now();
  const second = Math.floor(now / 1000);
  const key = (subscriptionId: string) => `subscription:${subscriptionId}`;
  const counts = await countHitsEach(pool, new Map([...limited].map(([id, list]) => [key(id), list.length])), now);
  for (const [subscriptionId, list] of limited) {
    const limit = list[0]!.rate_limit_per_second!;
    // Position j in this second's count is before + j: past the limit, it waits whole seconds.
    const before = counts.get(key(subscriptionId))! - list.length;
    list.forEach((t, j) => {
      const secondsAhead = Math.floor((before + j) / limit);
      if (secondsAhead === 0) {
        reservedSecond.set(t.delivery_id, second);
        return;
      }
      deferred.add(t.delivery_id);
      later.push(jobOf(t, new Date((second + secondsAhead) * 1000 + Math.floor(Math.random() * 200))));
    });
  }
  return { now: targets.filter((t) => !deferred.has(t.delivery_id)), later, reservedSecond };
}

/** Signs and POSTs every target side by side, each with its subscription's active secrets; the recorder stores the attempts. */
async function sendAll(services: Services, fetched: FetchedDeliveries[], targets: Target[], reservedSecond: Map<string, number>): Promise<void> {
  const secrets = await subscriptionSecrets(services.pool, services.cipher, [...new Set(targets.map((t) => t.subscription_id))]);
  const recorder = new BatchRecorder(services, fetched, targets);
  await Promise.all(targets.map(async (t) => {
    const startedAt = new Date();
    // A rate-limited slot is good for its second only: if that second has passed, try the next.
    const reserved = reservedSecond.get(t.delivery_id);
    if (reserved !== undefined && Math.floor(startedAt.getTime() / 1000) !== reserved) {
      recorder.requeue(t.delivery_id, jobOf(t, new Date(startedAt.getTime() + 50)));
      return;
    }
    const { headers, result } = await send(services, t, secrets.get(t.subscription_id) ?? []);
    services.metrics.deliveries.inc({ outcome: result.errorClass ?? 'SUCCEEDED' });
    services.metrics.attemptLatency.observe(result.durationMs / 1000);
    recorder.sent({ t, headers, startedAt, result });
  }));
  await recorder.finished();
}

/** One attempt's request. HTTP failures come back as results, never thrown. */
async function send(services: Services, t: Target, secrets: string[]): Promise<{ headers: Record<string, string>; result: SendResult }> {
  let headers: Record<string, string> = {};
  try {
    const signed = deliveryHeaders(t.event_id, t.body, secrets, openHeaders(services.cipher, t.subscription_id, t.headers), { deploymentId: services.deploymentId, hops: t.hops + 1 });
    headers = signed;
    // The key is read and decrypted only when this process has no pool for the identity yet.
    const tls = t.tls_identity ? { identity: t.tls_identity, material: () => loadTls(services.pool, services.cipher, t.subscription_id) } : null;
    const result = await sendWithToken(services, { id: t.subscription_id, oauth2: t.oauth2, timeoutMs: t.timeout_ms }, (auth, timeoutMs) => {
      headers = Object.keys(auth).length === 0 ? signed : { ...signed, ...auth };
      return services.deliveryClient.post({ url: t.url, owner: t.subscription_id, tls }, t.body, headers, timeoutMs);
    });
    return { headers, result };
  } catch (err) {
    // A request that cannot even be built fails as an attempt of its own delivery, not the batch.
    services.log.error({ err: { message: (err as Error).message }, deliveryId: t.delivery_id }, 'could not build a delivery request');
    return { headers, result: { statusCode: null, durationMs: 0, errorClass: 'INTERNAL', errorReason: 'the request could not be built', responseBody: null, retryAfterSeconds: null } };
  }
}

/**
 * Concurrency caps: a slot per in-flight attempt, taken under the subscription's advisory lock so
 * two workers cannot both take the last one. A delivery without a slot is parked in delivery_wait,
 * without a job: the attempt that frees a slot queues the next parked one (wakeWaiting), so waiting
 * costs no worker turns however long the backlog. Returns the parked deliveries.
 */
async function takeSlots(pool: pg.Pool, targets: Target[]): Promise<Set<string>> {
  const parked = new Set<string>();
  const capped = Map.groupBy(targets.filter((t) => t.max_concurrency !== null), (t) => t.subscription_id);
  if (capped.size === 0) return parked;
  await withTransaction(pool, async (client) => {
    for (const [subscriptionId, list] of [...capped].sort(([a], [b]) => a.localeCompare(b))) {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [subscriptionId]);
      // A delivery of this batch may still hold the lease of a worker that died mid-attempt: it
      // takes that slot over rather than counting against it.
      const ids = list.map((t) => t.delivery_id);
      const { rows: [held] } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM delivery_lease WHERE subscription_id = $1 AND expires_at > now() AND delivery_id <> ALL($2::text[])`,
        [subscriptionId, ids],
      );
      const oldestFirst = list.toSorted((a, b) => a.due_ms - b.due_ms);
      const free = Math.max(0, list[0]!.max_concurrency! - held!.n);
      const take = oldestFirst.slice(0, free);
      const wait = oldestFirst.slice(free);
      await client.query(
        `WITH lease AS (
           INSERT INTO delivery_lease (delivery_id, subscription_id, expires_at)
           SELECT id, $3, now() + make_interval(secs => $4) FROM unnest($1::text[]) AS id
           ON CONFLICT (delivery_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
         ), unparked AS (
           DELETE FROM delivery_wait WHERE delivery_id = ANY($1::text[])
         )
         INSERT INTO delivery_wait (delivery_id, subscription_id, due_at)
         SELECT id, $3, due FROM unnest($2::text[], $5::timestamptz[]) AS w(id, due)
         ON CONFLICT (delivery_id) DO NOTHING`,
        [take.map((t) => t.delivery_id), wait.map((t) => t.delivery_id), subscriptionId, list[0]!.timeout_ms / 1000 + 5, wait.map((t) => new Date(t.due_ms))],
      );
      for (const t of wait) parked.add(t.delivery_id);
    }
  });
  return parked;
}

/**
 * Queues the parked deliveries of these subscriptions that a free slot now waits for, oldest due
 * first, under the same advisory lock as takeSlots: a delivery parked while a slot was being freed
 * is either seen here or sees the slot free itself. Slots held by a dead worker free themselves when
 * their lease expires; the sweeper wakes what waits for those.
 */
export async function wakeWaiting(services: Services, subscriptionIds: string[]): Promise<number> {
  const ids = [...new Set(subscriptionIds)].sort();
  if (ids.length === 0) return 0;
  return withTransaction(services.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext(id)) FROM (SELECT id FROM unnest($1::text[]) AS id ORDER BY id) s', [ids]);
    const { rows } = await client.query<{ delivery_id: string; timeout_ms: number }>(
      `WITH slots AS (
         SELECT s.id, s.timeout_ms,
                CASE WHEN s.max_concurrency IS NOT NULL
                     THEN greatest(0, s.max_concurrency - (SELECT count(*) FROM delivery_lease l WHERE l.subscription_id = s.id AND l.expires_at > now()))::int END AS free
         FROM webhook_subscription s WHERE s.id = ANY($1::text[])
       ), picked AS (
         SELECT w.delivery_id, slots.timeout_ms
         FROM slots CROSS JOIN LATERAL (
           SELECT w.delivery_id FROM delivery_wait w JOIN outbound_delivery d ON d.id = w.delivery_id AND d.status = 'PENDING'
           WHERE w.subscription_id = slots.id ORDER BY w.due_at LIMIT slots.free -- NULL (no cap any more): all
         ) w
       )
       DELETE FROM delivery_wait w USING picked p WHERE w.delivery_id = p.delivery_id
       RETURNING p.delivery_id, p.timeout_ms`,
      [ids],
    );
    await queueDeliveries(services.boss, rows.map((r) => jobOf(r)), inTransaction(client));
    return rows.length;
  });
}

interface Sent {
  t: Target;
  headers: Record<string, string>;
  startedAt: Date;
  result: SendResult;
}

/**
 * How long an answered attempt may wait for the batch's other answers before it is recorded: short
 * beside the shortest job expiry (4 s), long enough that a batch answered together is recorded in
 * one transaction.
 */
const RECORD_WITHIN_MS = 200;

/**
 * Records a batch's attempts as they come back, group-commit style: once every request has been
 * answered, or RECORD_WITHIN_MS after the first answer not yet recorded, whichever comes first.
 * Each flush also queues the deliveries to try again later and, while other requests are still
 * out, completes the jobs whose deliveries are all settled, so a job is never held (nor expired and
 * run again) for a slower receiver in another job of the batch.
 */
class BatchRecorder {
  readonly #services: Services;
  #unanswered: number;
  #sent: Sent[] = [];
  #requeued: DeliveryJob[] = [];
  #done: JobAttempt[] = [];
  /** Per delivery being sent, the jobs that wait for it, with what each still waits for. */
  readonly #waiting = new Map<string, Array<{ job: JobAttempt; open: Set<string> }>>();
  #timer: NodeJS.Timeout | undefined;
  readonly #flushes: Array<Promise<void>> = [];

  constructor(services: Services, fetched: FetchedDeliveries[], targets: Target[]) {
    this.#services = services;
    this.#unanswered = targets.length;
    const sending = new Set(targets.map((t) => t.delivery_id));
    for (const { deliveryIds, job } of fetched) {
      if (!job) continue;
      const open = new Set(deliveryIds.filter((id) => sending.has(id)));
      // Its deliveries were settled before any request (parked, deferred, no longer PENDING).
      if (open.size === 0) this.#done.push(job);
      for (const id of open) this.#waiting.set(id, [...(this.#waiting.get(id) ?? []), { job, open }]);
    }
    if (this.#done.length > 0) this.#schedule();
  }

  sent(s: Sent): void {
    this.#sent.push(s);
    this.#settle(s.t.delivery_id);
  }

  requeue(deliveryId: string, job: DeliveryJob): void {
    this.#requeued.push(job);
    this.#settle(deliveryId);
  }

  /** Resolves once every attempt of the batch is recorded. */
  async finished(): Promise<void> {
    this.#flush();
    await Promise.all(this.#flushes);
  }

  #settle(deliveryId: string): void {
    this.#unanswered--;
    for (const w of this.#waiting.get(deliveryId) ?? []) {
      w.open.delete(deliveryId);
      if (w.open.size === 0) this.#done.push(w.job);
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#unanswered === 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), RECORD_WITHIN_MS);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Once every request is answered the batch returns right after this flush, and pg-boss
    // completes its jobs then: no statement of ours for that.
    if (this.#unanswered === 0) this.#done.length = 0;
    if (this.#sent.length + this.#requeued.length + this.#done.length === 0) return;
    this.#flushes.push(recordAttempts(this.#services, this.#sent.splice(0), this.#requeued.splice(0), this.#done.splice(0)));
  }
}

/**
 * One pipelined transaction for everything a flush holds. If it fails, one delivery's row must not
 * take the others down with it (SPEC §15): each attempt is then recorded in a transaction of its
 * own, and a delivery whose row is gone (its subscription was deleted meanwhile) counts as done.
 * A delivery that still cannot be recorded stays PENDING without a job, for the sweeper.
 */
async function recordAttempts(services: Services, sent: Sent[], requeued: DeliveryJob[], done: JobAttempt[]): Promise<void> {
  const { pipelines, boss, log } = services;
  const settle = async (p: Pipeline) => {
    if (requeued.length > 0) await sendThroughBoss(p, (db) => queueDeliveries(boss, requeued, db));
    if (done.length > 0) await sendThroughBoss(p, (db) => boss.complete(DELIVERY_QUEUE, done, null, { db }));
  };
  const audit = auditWriter(services);
  const workspacesOf = (of: Sent[]) => of.map((s) => s.t.workspace_id);
  try {
    await audit.retrying(workspacesOf(sent), () => pipelines.deliveries.transaction(async (p) => {
      if (sent.length > 0) await record(p, services, sent);
      await settle(p);
    }));
  } catch (err) {
    log.warn({ err: { message: (err as Error).message }, attempts: sent.length }, 'recording a batch of attempts failed; recording each on its own');
    for (const s of sent) {
      try {
        await audit.retrying(workspacesOf([s]), () => pipelines.deliveries.transaction((p) => record(p, services, [s])));
      } catch (one) {
        const { rowCount } = await services.pool.query('SELECT 1 FROM outbound_delivery WHERE id = $1', [s.t.delivery_id]).catch(() => ({ rowCount: 1 }));
        if (rowCount !== 0) log.error({ err: { message: (one as Error).message }, deliveryId: s.t.delivery_id }, 'could not record an attempt; the sweeper will queue the delivery again');
      }
    }
    try {
      await pipelines.deliveries.transaction(settle);
    } catch (again) {
      // The jobs are completed when the batch returns anyway; deliveries left without one are the sweeper's.
      log.error({ err: { message: (again as Error).message } }, 'could not queue or complete the jobs of a recorded batch');
    }
  }
  const released = sent.filter((s) => s.t.max_concurrency !== null).map((s) => s.t.subscription_id);
  if (released.length > 0) {
    await wakeWaiting(services, released).catch((err: unknown) =>
      log.warn({ err: { message: (err as Error).message } }, 'could not wake deliveries waiting for a slot; the sweeper will'));
  }
}

/** What an answered attempt makes of its delivery: its number, and the next attempt's time if there is one. */
interface Settled {
  number: number;
  ok: boolean;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  nextAt: Date | null;
}

function settle(config: Services['config'], { t, result: r }: Sent): Settled {
  const number = t.attempt_count + 1;
  const ok = r.errorClass === null;
  const delay = ok || r.statusCode === 410 ? null : nextAttemptDelay(config.deliveryRetryScheduleMs, number, r.retryAfterSeconds);
  return { number, ok, status: ok ? 'SUCCEEDED' : delay === null ? 'FAILED' : 'PENDING', nextAt: delay === null ? null : new Date(Date.now() + delay) };
}

/**
 * Writes the attempts into the caller's transaction, on the workers' pipelined connection: every
 * statement is written without waiting for the one before, and the batches of all local worker
 * loops follow each other there instead of queueing on the audit chain's head and the
 * subscriptions' rows. Only a failing subscription's window is read back before COMMIT.
 */
async function record(p: Pipeline, services: Services, sent: Sent[]): Promise<void> {
  const rows = sent.map((s) => settle(services.config, s));
  writeAttempts(p, sent, rows);
  // A concurrent disable (status no longer PENDING) wins: the delivery keeps its state, but the
  // attempt, which did happen, is counted, so the next one (after a replay) gets the next number.
  // Its next attempt is queued anyway; the job re-checks PENDING when it runs.
  const retries = sent.flatMap((s, i) => (rows[i]!.nextAt ? [jobOf(s.t, rows[i]!.nextAt!)] : []));
  if (retries.length > 0) await sendThroughBoss(p, (db) => queueDeliveries(services.boss, retries, db));
  await settleSubscriptions(p, services, sent, rows);
  auditAttempts(p, auditWriter(services), sent, rows);
}

// The charts' per-minute rollups ride on the statement that records the attempts: no statement more.
const STATS = statsCte({ subscriptions: '$12::text[]', workspaces: '$13::text[]', startedAt: '$3::timestamptz[]', durations: '$4::int[]', outcomes: '$5::"AttemptOutcome"[]' });

/**
 * The attempts, their deliveries' new states, the charts' rollups and the concurrency slots they free: sent, not awaited.
 * The deliveries are found by `= ANY` as well as by the join: a custom plan, which sees a batch's hundreds of ids, otherwise
 * reads the whole table into a hash (measured: 8-18 ms instead of under 1 ms per batch over 20,000 deliveries) until
 * the prepared statement's generic plan takes over.
 */
function writeAttempts(p: Pipeline, sent: Sent[], rows: Settled[]): void {
  void p.send({
    name: 'delivery-record',
    text: `WITH attempts AS (
             INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome, status_code, error_class, response_body, error_reason)
             SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::int[], $5::"AttemptOutcome"[], $6::int[], $7::text[], $8::text[], $11::text[])
             ON CONFLICT (delivery_id, number) DO NOTHING
           ), ${STATS}
           UPDATE outbound_delivery d SET status = CASE WHEN ${STILL_PENDING} THEN u.status::"DeliveryStatus" ELSE d.status END,
                  next_attempt_at = CASE WHEN ${STILL_PENDING} THEN u.next_at ELSE d.next_attempt_at END,
                  attempt_count = greatest(d.attempt_count, u.number), last_attempt_at = greatest(d.last_attempt_at, u.started_at), updated_at = now()
           FROM unnest($1::text[], $2::int[], $3::timestamptz[], $9::text[], $10::timestamptz[]) AS u(id, number, started_at, status, next_at)
           WHERE d.id = ANY($1::text[]) AND d.id = u.id`,
  }, [
    sent.map((s) => s.t.delivery_id), rows.map((r) => r.number), sent.map((s) => s.startedAt), sent.map((s) => s.result.durationMs),
    rows.map((r) => (r.ok ? 'SUCCEEDED' : 'FAILED')), sent.map((s) => s.result.statusCode), sent.map((s) => s.result.errorClass),
    sent.map((s) => s.result.responseBody), rows.map((r) => r.status), rows.map((r) => r.nextAt), sent.map((s) => s.result.errorReason),
    sent.map((s) => s.t.subscription_id), sent.map((s) => s.t.workspace_id),
  ]);
  const leased = sent.filter((s) => s.t.max_concurrency !== null).map((s) => s.t.delivery_id);
  if (leased.length > 0) void p.send('DELETE FROM delivery_lease WHERE delivery_id = ANY($1::text[])', [leased]);
}

interface SubscriptionOutcome {
  workspaceId: string;
  /** At least one of the batch's attempts succeeded. */
  ok: boolean;
  gone: boolean;
  firstFailure: Date | null;
}

/**
 * Subscriptions: success clears the failure window; failure opens it; 410 or a window longer than
 * DELIVERY_AUTO_DISABLE_AFTER disables.
 */
async function settleSubscriptions(p: Pipeline, services: Services, sent: Sent[], rows: Settled[]): Promise<void> {
  const outcome = new Map<string, SubscriptionOutcome>();
  sent.forEach((s, i) => {
    const o = outcome.get(s.t.subscription_id) ?? { workspaceId: s.t.workspace_id, ok: false, gone: false, firstFailure: null };
    if (rows[i]!.ok) o.ok = true;
    else {
      o.gone ||= s.result.statusCode === 410;
      o.firstFailure ??= s.startedAt;
    }
    outcome.set(s.t.subscription_id, o);
  });
  const succeeded = [...outcome].filter(([, o]) => o.ok).map(([id]) => id);
  if (succeeded.length > 0) {
    // To the second: a subscription that succeeded a moment ago is not written (nor locked) again.
    void p.send({
      name: 'subscription-succeeded',
      text: `UPDATE webhook_subscription SET last_success_at = now(), failing_since = NULL
             WHERE id = ANY($1::text[]) AND (failing_since IS NOT NULL OR last_success_at IS NULL OR last_success_at < now() - interval '1 second')`,
    }, [succeeded]);
  }
  const failing = new Map([...outcome].filter(([, o]) => !o.ok));
  if (failing.size > 0) await extendFailureWindows(p.client, services, failing);
}

/** Opens the failing subscriptions' windows (read back: the one round trip before COMMIT) and disables those past their limit. */
async function extendFailureWindows(client: pg.PoolClient, { boss, config }: Services, failing: Map<string, SubscriptionOutcome>): Promise<void> {
  const { rows: windows } = await client.query<{ id: string; failing_since: Date }>(
    `UPDATE webhook_subscription s SET failing_since = coalesce(s.failing_since, f.at)
     FROM unnest($1::text[], $2::timestamptz[]) AS f(id, at) WHERE s.id = f.id RETURNING s.id, s.failing_since`,
    [[...failing.keys()], [...failing.values()].map((o) => o.firstFailure)],
  );
  for (const w of windows) {
    const o = failing.get(w.id)!;
    const reason = o.gone
      ? 'the endpoint answered 410 Gone'
      : Date.now() - w.failing_since.getTime() >= config.deliveryAutoDisableAfterMs
        ? `no successful delivery since ${w.failing_since.toISOString()} while deliveries kept failing`
        : null;
    if (reason) await markDisabled(client, boss, o.workspaceId, w.id, reason);
  }
}

/**
 * delivery.updated messages for a commit's attempts name this many deliveries each: 100 ids of 30
 * characters with their attempt numbers stay well under NOTIFY's 8000 bytes.
 */
export const ATTEMPTS_PER_MESSAGE = 100;

/**
 * Each workspace's audit rows for its attempts, with their deliveryUpdated messages (one per
 * ATTEMPTS_PER_MESSAGE attempts, not one each), in the same commit.
 */
function auditAttempts(p: Pipeline, audit: AuditChainWriter, sent: Sent[], rows: Settled[]): void {
  const byWorkspace = Map.groupBy(sent.keys(), (i) => sent[i]!.t.workspace_id);
  // An event's body is the same for each of its subscriptions in the batch: hashed once.
  const payloadHashes = new Map<string, string>();
  const payloadSha256 = (t: Target) => {
    let hash = payloadHashes.get(t.event_id);
    if (hash === undefined) payloadHashes.set(t.event_id, (hash = sha256Hex(t.body)));
    return hash;
  };
  const at = Date.now();
  for (const [workspaceId, indexes] of [...byWorkspace].sort(([a], [b]) => a.localeCompare(b))) {
    const updates = chunkedMessages('delivery.updated', workspaceId, indexes, ATTEMPTS_PER_MESSAGE,
      (chunk): DeliveryUpdatedMessage => ({ deliveryIds: chunk.map((i) => sent[i]!.t.delivery_id), attempts: chunk.map((i) => rows[i]!.number), at }));
    // append writes its statement before it returns: into the pipeline, in order.
    void p.also(audit.append(p.client, workspaceId, indexes.map((i) => {
      const { t, headers, startedAt, result } = sent[i]!;
      return outboundAuditRow({
        workspaceId, subscriptionId: t.subscription_id, deliveryId: t.delivery_id, eventType: t.event_type, headers,
        payloadSha256: payloadSha256(t), startedAt, attempt: rows[i]!.number, result,
      });
    }), updates));
  }
}
