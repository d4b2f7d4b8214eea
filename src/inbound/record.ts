// Writes what the /hooks route decided, with group commit (../shared/PERFORMANCE.md): requests are
// queued and flushed in batches, each batch one transaction of a few multi-row statements, and
// every request is answered only after the commit that holds its rows. Acceptance is one commit
// (SPEC §5): the inbound delivery, its audit row, the replay memory, the session, the
// session.created event with its fan-out, and the agent-run job. Refusals from 403 on (but 429),
// replays and sender handshakes write the delivery and its audit row.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { agentRunJob } from '../agent/agent-run-job.ts';
import { type AuditInput, appendAudit } from '../audit/append.ts';
import type { Pipeline, PipelinedConnection } from '../platform/db/pool.ts';
import { EVENTS_CTE_PARAMS, type PlannedEvents, eventsCte, eventsParams, fannedOutJobs, planEvents, selectPlanned } from '../events/outbox.ts';
import type { SubscriptionFilterSource } from '../events/subscription-filters.ts';
import { newId } from '../platform/ids.ts';
import type { Message } from '../platform/realtime.ts';
import { isDatabaseUnavailable } from '../platform/database-errors.ts';
import type { Refusal } from './evaluate.ts';
import type { TriggerContext } from './trigger-context.ts';

export type InboundOutcome = 'ACCEPTED' | 'IGNORED' | 'REPLAYED' | 'REFUSED';

export interface InboundFacts {
  receivedAt: Date;
  sourceIp: string | undefined;
  contentType: string | undefined;
  headersSha256: string;
  payloadSha256: string;
  payloadBytes: number;
  /** Shown in inboundDeliveries. */
  messageId: string | undefined;
  /** Replay memory keys (signing/schemes.ts): remembered on acceptance, a replay matches any. */
  replayKeys: string[];
}

export interface InboundRecord {
  deliveryId: string;
  sessionId: string | null;
  ignored: boolean;
}

export type InboundWrite =
  | { kind: 'accept'; t: TriggerContext; facts: InboundFacts; inputs: Record<string, unknown> | null; hops: number }
  | { kind: 'refuse'; t: TriggerContext; facts: InboundFacts; refusal: Refusal }
  | { kind: 'handshake'; t: TriggerContext; facts: InboundFacts }
  | { kind: 'replay'; t: TriggerContext; facts: InboundFacts; first: InboundRecord };

export interface InboundResult extends InboundRecord {
  /** The request repeated a message id accepted before: `deliveryId`/`sessionId` are the first's. */
  replayed: boolean;
}

interface Deps {
  /** A batch's statements go out together, and the next batch's right behind them. */
  pipeline: PipelinedConnection;
  boss: PgBoss;
  subscriptionFilters: SubscriptionFilterSource;
}

/**
 * What a batch settles before its transaction opens: the ids of the sessions its accepts would
 * start, and their session.created events with the subscription filters they pass (tenants'
 * JSONPath, never evaluated while the transaction holds the audit heads).
 */
interface BatchPlan {
  sessionIds: Array<string | undefined>;
  eventIds: Array<string | undefined>;
  events: PlannedEvents;
}

interface Pending {
  write: InboundWrite;
  resolve: (r: InboundResult) => void;
  reject: (err: unknown) => void;
}

/** A replay key accepted earlier within the replay window: the first answer, to repeat. */
export async function findReplay(db: pg.Pool | pg.PoolClient, t: TriggerContext, keys: string[], windowHours: number): Promise<InboundRecord | undefined> {
  if (keys.length === 0) return undefined;
  const { rows } = await db.query<{ delivery_id: string; session_id: string | null }>(
    `SELECT delivery_id, session_id FROM inbound_message
     WHERE trigger_id = $1 AND message_id = ANY($2::text[]) AND accepted_at > now() - make_interval(hours => $3)
     ORDER BY array_position($2::text[], message_id) LIMIT 1`,
    [t.id, keys, windowHours],
  );
  const r = rows[0];
  return r ? { deliveryId: r.delivery_id, sessionId: r.session_id, ignored: r.session_id === null } : undefined;
}

/**
 * A replay key of the batch was accepted by someone else meanwhile: redo the batch carefully. The
 * optimistic statement raises it itself (a division by zero), since its COMMIT is already on the
 * wire and only a failed statement turns it into a rollback.
 */
class ReplayRaced extends Error {}
const DIVISION_BY_ZERO = '22012';
const raced = (err: unknown) => err instanceof ReplayRaced || (err as { code?: string }).code === DIVISION_BY_ZERO;

/** The queue of writes waiting for a commit is full: the request is answered 503 and not recorded. */
export class WriterQueueFull extends Error {}

export class InboundWriter {
  readonly #deps: Deps;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #maxQueue: number;
  readonly #windowHours: number;
  #queue: Pending[] = [];
  #inFlight = 0;

  constructor(deps: Deps, opts: { replayWindowHours: number; maxQueue: number; maxBatch?: number; maxInFlight?: number }) {
    this.#deps = deps;
    this.#windowHours = opts.replayWindowHours;
    // While the database is slow or stalled, requests would wait here without bound, each holding
    // its body and its connection: past the bound they are turned away at once, to retry later.
    this.#maxQueue = opts.maxQueue;
    this.#maxBatch = opts.maxBatch ?? 200;
    // Measured (bench/inbound, docs/benchmarks.md): on 2 cores one flush in flight beats two or
    // three, even written back to back on the one pipelined connection: a batch's fixed costs
    // outweigh the round trip saved, so batches grow to absorb the load instead.
    this.#maxInFlight = opts.maxInFlight ?? 1;
  }

  write(write: InboundWrite): Promise<InboundResult> {
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(new WriterQueueFull(`${this.#queue.length} inbound writes already wait for a commit`));
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      void this.#flush(batch).finally(() => {
        this.#inFlight--;
        if (this.#queue.length > 0) this.#pump();
      });
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    try {
      const plan = await this.#plan(batch.map((q) => q.write));
      const write = (careful: boolean) => this.#deps.pipeline.transaction((p) => this.#writeBatch(p, batch.map((q) => q.write), careful, plan));
      // Optimistic first: one statement for the whole batch, assuming no message id was taken
      // meanwhile; when one was, that transaction rolls back and the careful path sorts it out.
      const results = await write(false).catch((err) => (raced(err) ? write(true) : Promise.reject(err)));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      // One bad row must not fail its neighbours: retry each alone, unless the database is gone.
      if (batch.length > 1 && !isDatabaseUnavailable(err)) {
        await Promise.all(batch.map((p) => this.#flush([p])));
        return;
      }
      for (const p of batch) p.reject(err);
    }
  }

  async #plan(writes: InboundWrite[]): Promise<BatchPlan> {
    const sessionIds = writes.map((w) => (w.kind === 'accept' && w.inputs ? newId('session') : undefined));
    const starting = writes.flatMap((w, i) => (w.kind === 'accept' && w.inputs ? [{ w, sessionId: sessionIds[i]! }] : []));
    const events = await planEvents(this.#deps.subscriptionFilters, starting.map(({ w, sessionId }) =>
      ({ workspaceId: w.t.workspaceId, type: 'session.created', sessionId, hops: w.hops, data: { sessionId, agent: w.t.agent, triggerId: w.t.id, inputs: w.inputs } })));
    const eventOf = new Map(events.events.map((e) => [e.input.sessionId, e.id]));
    return { sessionIds, eventIds: sessionIds.map((id) => (id === undefined ? undefined : eventOf.get(id))), events };
  }

  async #writeBatch(p: Pipeline, input: InboundWrite[], careful: boolean, plan: BatchPlan): Promise<InboundResult[]> {
    const writes = [...input]; // replays found below replace their accept in this copy only
    const window = this.#windowHours;
    // Each request gets its own inbound_delivery row; a replay's answer names the first's.
    const rowIds = writes.map(() => newId('inboundDelivery'));
    const results: InboundResult[] = writes.map((w, i) => ({
      deliveryId: w.kind === 'replay' ? w.first.deliveryId : rowIds[i]!,
      sessionId: w.kind === 'replay' ? w.first.sessionId : plan.sessionIds[i] ?? null,
      ignored: w.kind === 'replay' ? w.first.ignored : w.kind === 'accept' ? w.inputs === null : w.kind === 'handshake',
      replayed: w.kind === 'replay',
    }));

    // Replay memory: the primary key decides between concurrent duplicates, in this batch or not.
    // A request sharing a key with an earlier one of the batch is left out of the insert and loses
    // to it; an expired memory of the same key is taken over. Keys go in sorted, so transactions
    // inserting the same keys wait for each other rather than deadlock.
    const remembered: Array<{ i: number; key: string }> = [];
    const seen = new Set<string>();
    const lost: number[] = [];
    writes.forEach((w, i) => {
      if (w.kind !== 'accept' || w.facts.replayKeys.length === 0) return;
      const keys = w.facts.replayKeys.map((k) => `${w.t.id} ${k}`);
      if (keys.some((k) => seen.has(k))) lost.push(i);
      else {
        for (const k of keys) seen.add(k);
        remembered.push(...w.facts.replayKeys.map((key) => ({ i, key })));
      }
    });
    const sortKey = (r: { i: number; key: string }) => `${writes[r.i]!.t.id} ${r.key}`;
    remembered.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    const memory = () => [remembered.map((r) => writes[r.i]!.t.id), remembered.map((r) => r.key), remembered.map((r) => rowIds[r.i]!),
      remembered.map((r) => results[r.i]!.sessionId), remembered.map((r) => writes[r.i]!.facts.receivedAt)];
    // The careful path settles the replay memory first, in its own statement.
    if (lost.length > 0 && !careful) throw new ReplayRaced();
    if (careful && remembered.length > 0) {
      const { rows: won } = await p.send<{ trigger_id: string; message_id: string }>({
        name: 'inbound-remember',
        text: `INSERT INTO inbound_message (trigger_id, message_id, delivery_id, session_id, accepted_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         ON CONFLICT (trigger_id, message_id) DO UPDATE
           SET delivery_id = EXCLUDED.delivery_id, session_id = EXCLUDED.session_id, accepted_at = EXCLUDED.accepted_at
           WHERE inbound_message.accepted_at <= now() - make_interval(hours => $6)
         RETURNING trigger_id, message_id`,
      }, [...memory(), window]);
      const taken = new Set(won.map((r) => `${r.trigger_id} ${r.message_id}`));
      const losers = new Set(remembered.filter((r) => !taken.has(sortKey(r))).map((r) => r.i));
      // A request that lost on one key is a replay: its other keys must not remember it.
      const orphans = remembered.filter((r) => losers.has(r.i) && taken.has(sortKey(r)));
      if (orphans.length > 0) {
        void p.send(`DELETE FROM inbound_message m USING unnest($1::text[], $2::text[]) AS k(t, m) WHERE m.trigger_id = k.t AND m.message_id = k.m`,
          [orphans.map((r) => writes[r.i]!.t.id), orphans.map((r) => r.key)]);
      }
      lost.push(...losers);
    }
    if (lost.length > 0) {
      const probes = lost.flatMap((i) => writes[i]!.facts.replayKeys.map((key) => ({ i, key })));
      const { rows: first } = await p.send<{ trigger_id: string; message_id: string; delivery_id: string; session_id: string | null }>(
        `SELECT m.trigger_id, m.message_id, m.delivery_id, m.session_id FROM inbound_message m
         JOIN unnest($1::text[], $2::text[]) AS k(t, m) ON m.trigger_id = k.t AND m.message_id = k.m`,
        [probes.map((r) => writes[r.i]!.t.id), probes.map((r) => r.key)],
      );
      const byKey = new Map(first.map((r) => [`${r.trigger_id} ${r.message_id}`, r]));
      for (const i of lost) {
        const w = writes[i]!;
        const f = w.facts.replayKeys.map((k) => byKey.get(`${w.t.id} ${k}`)).find((r) => r !== undefined);
        // Its first lost in turn (a request of this batch that was itself a replay): the batch
        // fails, and each request is written alone, in order.
        if (!f) throw new Error('the first of a replayed message is not in replay memory');
        writes[i] = { kind: 'replay', t: w.t, facts: w.facts, first: { deliveryId: f.delivery_id, sessionId: f.session_id, ignored: f.session_id === null } };
        results[i] = { deliveryId: f.delivery_id, sessionId: f.session_id, ignored: f.session_id === null, replayed: true };
      }
    }

    const started = writes.flatMap((w, i) => (w.kind === 'accept' && w.inputs ? [i] : []));
    const rows = writes.map((w, i) => {
      const r = results[i]!;
      switch (w.kind) {
        case 'accept':
          return { outcome: r.ignored ? 'IGNORED' : 'ACCEPTED', status: 202, code: null, reason: null, inputs: w.inputs, sessionId: r.sessionId };
        case 'replay':
          return { outcome: 'REPLAYED', status: 202, code: null, reason: null, inputs: null, sessionId: r.sessionId };
        case 'handshake':
          return { outcome: 'IGNORED', status: 200, code: null, reason: null, inputs: null, sessionId: null };
        case 'refuse':
          return { outcome: 'REFUSED', status: w.refusal.status, code: w.refusal.code, reason: w.refusal.message, inputs: null, sessionId: null };
      }
    });
    // Accepts that turned out to be replays start nothing: their planned events are left out.
    const created = selectPlanned(plan.events, started.map((i) => plan.eventIds[i]!));
    const optimistic = !careful && remembered.length > 0;
    const m = 23 + EVENTS_CTE_PARAMS; // the replay memory's parameters, after the events'
    // Sessions, deliveries, the session.created events with their fan-out and, on the optimistic
    // path, the replay memory: one statement. The statements after it do not depend on its answer
    // and go out behind it at once (pipelined).
    void p.send({
      name: optimistic ? 'inbound-record-optimistic' : 'inbound-record',
      text: `WITH sessions AS (
         INSERT INTO session (id, workspace_id, agent, trigger_id, inputs, created_at, hops)
         SELECT * FROM unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::jsonb[], $21::timestamptz[], $22::smallint[])
       ), deliveries AS (
         INSERT INTO inbound_delivery (id, workspace_id, trigger_id, received_at, outcome, status_code, refusal_code, refusal_reason,
           message_id, source_ip, content_type, payload_sha256, payload_bytes, mapped_inputs, session_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::"InboundOutcome"[], $6::int[], $7::text[], $8::text[],
           $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::jsonb[], $15::text[])
       ), ${eventsCte(23)}${optimistic ? `, mem AS (
         INSERT INTO inbound_message (trigger_id, message_id, delivery_id, session_id, accepted_at)
         SELECT * FROM unnest($${m}::text[], $${m + 1}::text[], $${m + 2}::text[], $${m + 3}::text[], $${m + 4}::timestamptz[])
         ON CONFLICT (trigger_id, message_id) DO UPDATE
           SET delivery_id = EXCLUDED.delivery_id, session_id = EXCLUDED.session_id, accepted_at = EXCLUDED.accepted_at
           WHERE inbound_message.accepted_at <= now() - make_interval(hours => $${m + 5})
         RETURNING 1
       )` : ''}
       SELECT ${optimistic ? `(SELECT 1 / (count(*) = $${m + 6})::int FROM mem) AS remembered` : '1'}`,
    }, [
        rowIds, writes.map((w) => w.t.workspaceId), writes.map((w) => w.t.id), writes.map((w) => w.facts.receivedAt),
        rows.map((r) => r.outcome), rows.map((r) => r.status), rows.map((r) => r.code), rows.map((r) => r.reason),
        writes.map((w) => w.facts.messageId ?? null), writes.map((w) => w.facts.sourceIp ?? null), writes.map((w) => w.facts.contentType ?? null),
        writes.map((w) => w.facts.payloadSha256), writes.map((w) => w.facts.payloadBytes),
        rows.map((r) => (r.inputs === null ? null : JSON.stringify(r.inputs))), rows.map((r) => r.sessionId),
        started.map((i) => results[i]!.sessionId), started.map((i) => writes[i]!.t.workspaceId), started.map((i) => writes[i]!.t.agent),
        started.map((i) => writes[i]!.t.id), started.map((i) => JSON.stringify((writes[i] as { inputs: unknown }).inputs)),
        started.map((i) => writes[i]!.facts.receivedAt), started.map((i) => (writes[i] as { hops: number }).hops),
        ...eventsParams(created),
        ...(optimistic
          ? [...memory(), window,
              // A key taken meanwhile leaves a row out of `mem`: the division by zero fails the
              // statement, and with it the whole pipelined transaction.
              remembered.length]
          : []),
      ],
    );
    if (started.length > 0) {
      void p.send(await agentRunJob(this.#deps.boss, started.map((i) => results[i]!.sessionId!)));
    }

    // The workspace's chain head stays locked from here to the commit.
    const byWorkspace = Map.groupBy(writes.keys(), (i) => writes[i]!.t.workspaceId);
    for (const [workspaceId, indexes] of [...byWorkspace].sort(([a], [b]) => a.localeCompare(b))) {
      const received = indexes.map((i): string =>
        JSON.stringify({ topic: 'inbound.received', workspaceId, data: { id: rowIds[i]!, triggerId: writes[i]!.t.id } } satisfies Message));
      // appendAudit writes its statement before its first await: into the pipeline, in order.
      void p.also(appendAudit(p.client, workspaceId, indexes.map((i): AuditInput => {
        const w = writes[i]!;
        return {
          workspaceId, direction: 'INBOUND', triggerId: w.t.id, subscriptionId: null, deliveryId: rowIds[i]!, eventType: null,
          headersSha256: w.facts.headersSha256, payloadSha256: w.facts.payloadSha256, occurredAt: w.facts.receivedAt,
          durationMs: Date.now() - w.facts.receivedAt.getTime(), attempt: null, statusCode: rows[i]!.status,
          outcome: rows[i]!.outcome, errorClass: rows[i]!.code, sourceIp: w.facts.sourceIp ?? null,
        };
      }), received));
    }
    // Not awaited: its answer comes with the COMMIT's.
    if (created.events.length > 0) void p.send(await fannedOutJobs(this.#deps.boss, created.events.map((e) => e.id)));
    return results;
  }
}
