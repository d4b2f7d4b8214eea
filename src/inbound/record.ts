// Writes what the /hooks route decided, with group commit (../shared/PERFORMANCE.md): requests are
// queued and flushed in batches, each batch one transaction of a few multi-row statements, and
// every request is answered only after the commit that holds its rows. Acceptance is one commit
// (SPEC §5): the inbound delivery, its audit row, the replay memory, the session, the
// session.created event with its fan-out, and the agent-run job. Refusals from 403 on (but 429),
// replays and sender handshakes write the delivery and its audit row.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { MAX_SESSIONS_PER_RUN_JOB, agentRunJobCtes } from '../agent/agent-run-job.ts';
import { type AuditChainWriter, type AuditInput } from '../audit/append.ts';
import { GroupCommit } from '../platform/db/group-commit.ts';
import { perBoss } from '../platform/jobs/insert-from-query.ts';
import type { Pipeline, PipelinedConnection } from '../platform/db/pool.ts';
import { EVENTS_CTE_PARAMS, FAN_NOTIFY, type PlannedEvents, eventsCte, eventsParams, fannedOutJobsCtes, planEvents, selectPlanned } from '../events/outbox.ts';
import type { SubscriptionFilterSource } from '../events/subscription-filters.ts';
import { newId } from '../platform/ids.ts';
import { chunkedMessages } from '../platform/realtime.ts';
import { storableString } from '../platform/storable-string.ts';
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

/** The queue of writes waiting for a commit is full: the request is answered 503 and not recorded. */
export { WriterQueueFull } from '../platform/db/group-commit.ts';

/**
 * PostgreSQL refused a value the request brought (a data exception, a value too large for an
 * index...) when it was written alone: the request is answered 400, not 500. The checks refuse the
 * known ones by name before they are written; this is for the ones they do not know.
 */
export class UnstorableInput extends Error {}

const unstorable = (err: unknown) => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code === '54000' || code === '54001');
};

/**
 * The optimistic path's plain insert met a message id already in replay memory, live or expired:
 * the careful path decides which (a replay, or a memory past the window to take over). Only this
 * constraint: any other unique violation is not the careful path's to settle.
 */
const keyTaken = (err: unknown) => {
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && e.constraint === 'inbound_message_pkey';
};

// ---- rows ----------------------------------------------------------------------------------------

interface DeliveryRow {
  id: string;
  workspaceId: string;
  triggerId: string;
  receivedAt: Date;
  outcome: InboundOutcome;
  statusCode: number;
  refusalCode: string | null;
  refusalReason: string | null;
  messageId: string | null;
  sourceIp: string | null;
  contentType: string | null;
  payloadSha256: string;
  payloadBytes: number;
  /** JSON text. */
  mappedInputs: string | null;
  sessionId: string | null;
}

interface SessionRow {
  id: string;
  workspaceId: string;
  agent: string;
  triggerId: string;
  /** JSON text. */
  inputs: string;
  createdAt: Date;
  hops: number;
}

interface MemoryRow {
  triggerId: string;
  key: string;
  deliveryId: string;
  sessionId: string | null;
  acceptedAt: Date;
  /** The request's index in its batch (not a column). */
  i: number;
}

/** A row type's columns: its field, the column it fills, the column's SQL type. */
type Columns<R> = ReadonlyArray<readonly [field: keyof R & string, column: string, type: string]>;

const DELIVERY_COLUMNS: Columns<DeliveryRow> = [
  ['id', 'id', 'text'], ['workspaceId', 'workspace_id', 'text'], ['triggerId', 'trigger_id', 'text'], ['receivedAt', 'received_at', 'timestamptz'],
  ['outcome', 'outcome', '"InboundOutcome"'], ['statusCode', 'status_code', 'int'], ['refusalCode', 'refusal_code', 'text'],
  ['refusalReason', 'refusal_reason', 'text'], ['messageId', 'message_id', 'text'], ['sourceIp', 'source_ip', 'text'],
  ['contentType', 'content_type', 'text'], ['payloadSha256', 'payload_sha256', 'text'], ['payloadBytes', 'payload_bytes', 'int'],
  ['mappedInputs', 'mapped_inputs', 'jsonb'], ['sessionId', 'session_id', 'text'],
];
const SESSION_COLUMNS: Columns<SessionRow> = [
  ['id', 'id', 'text'], ['workspaceId', 'workspace_id', 'text'], ['agent', 'agent', 'text'], ['triggerId', 'trigger_id', 'text'],
  ['inputs', 'inputs', 'jsonb'], ['createdAt', 'created_at', 'timestamptz'], ['hops', 'hops', 'smallint'],
];
const MEMORY_COLUMNS: Columns<MemoryRow> = [
  ['triggerId', 'trigger_id', 'text'], ['key', 'message_id', 'text'], ['deliveryId', 'delivery_id', 'text'],
  ['sessionId', 'session_id', 'text'], ['acceptedAt', 'accepted_at', 'timestamptz'],
];

/** `INSERT INTO table (...) SELECT * FROM unnest(...)`: one array parameter per column, numbered from $first. */
const insertRows = <R>(table: string, columns: Columns<R>, first: number) =>
  `INSERT INTO ${table} (${columns.map(([, column]) => column).join(', ')})
   SELECT * FROM unnest(${columns.map(([, , type], i) => `$${first + i}::${type}[]`).join(', ')})`;

/** insertRows' parameters: each column's values over the rows, in column order. */
const rowParams = <R>(rows: R[], columns: Columns<R>): unknown[][] => columns.map(([field]) => rows.map((r) => r[field]));

const SESSIONS_AT = 1 + DELIVERY_COLUMNS.length;
const EVENTS_AT = SESSIONS_AT + SESSION_COLUMNS.length;
const MEMORY_AT = EVENTS_AT + EVENTS_CTE_PARAMS;

/**
 * Deliveries, sessions with their agent-run job, the session.created events with their fan-out and
 * its jobs and, on the optimistic path, the replay memory: one statement. There the memory is a
 * plain insert: a key already remembered (within the window or past it) fails it on the primary
 * key, and with it the whole pipelined transaction (its COMMIT is already on the wire; only a
 * failed statement turns it into a rollback). A plain insert, not ON CONFLICT: measured cheaper per
 * row (no speculative insertion), and a taken key is rare.
 */
export const recordStatements = perBoss(async (boss): Promise<{ careful: string; optimistic: string }> => {
  const [runs, fanJobs] = await Promise.all([agentRunJobCtes(boss, 'sessions'), fannedOutJobsCtes(boss)]);
  const statement = (optimistic: boolean) => `WITH sessions AS (${insertRows('session', SESSION_COLUMNS, SESSIONS_AT)} RETURNING id),
  deliveries AS (${insertRows('inbound_delivery', DELIVERY_COLUMNS, 1)}),
  ${eventsCte(EVENTS_AT)}${optimistic ? `, mem AS (${insertRows('inbound_message', MEMORY_COLUMNS, MEMORY_AT)})` : ''},
  ${runs.ctes}, ${fanJobs.ctes}
  SELECT ${FAN_NOTIFY} AS notified, ${runs.woke} AS runs_woke, ${fanJobs.woke} AS deliveries_woke`;
  return { careful: statement(false), optimistic: statement(true) };
});
/**
 * The careful path's replay memory, the replay window's hours after the columns: a key already
 * remembered within the window stays the earlier message's; an expired memory of it is taken over.
 */
const REMEMBER = `${insertRows('inbound_message', MEMORY_COLUMNS, 1)}
  ON CONFLICT (trigger_id, message_id) DO UPDATE
    SET delivery_id = EXCLUDED.delivery_id, session_id = EXCLUDED.session_id, accepted_at = EXCLUDED.accepted_at
    WHERE inbound_message.accepted_at <= now() - make_interval(hours => $${1 + MEMORY_COLUMNS.length})
  RETURNING trigger_id, message_id`;

// ---- the writer ----------------------------------------------------------------------------------

interface Deps {
  /** A batch's statements go out together, and the next batch's right behind them. */
  pipeline: PipelinedConnection;
  boss: PgBoss;
  subscriptionFilters: SubscriptionFilterSource;
  audit: AuditChainWriter;
}

/**
 * What a batch settles before its transaction opens: ids, the JSON of its inputs, and the
 * session.created events of the sessions its accepts would start, with the subscription filters
 * they pass (tenants' JSONPath, never evaluated while the transaction holds the audit heads).
 */
interface Batch {
  /** The writes, their request-derived text made storable. */
  writes: InboundWrite[];
  /** Each request's own inbound_delivery row (a replay's answer names its first's instead). */
  rowIds: string[];
  sessionIds: Array<string | undefined>;
  inputsJson: Array<string | null>;
  eventIds: Array<string | undefined>;
  events: PlannedEvents;
  /**
   * An accept that shares a replay key with an earlier accept of the batch: that one's index. It is
   * left out of replay memory and answered as that one's replay.
   */
  owner: Array<number | undefined>;
}

export class InboundWriter {
  readonly #deps: Deps;
  readonly #windowHours: number;
  readonly #queue: GroupCommit<InboundWrite, InboundResult>;

  constructor(deps: Deps, opts: { replayWindowHours: number; maxQueue: number; maxBatch?: number; maxInFlight?: number }) {
    const maxBatch = opts.maxBatch ?? 200;
    // A batch's sessions go to one agent-run job, which would fail its payload's check when run.
    if (maxBatch > MAX_SESSIONS_PER_RUN_JOB) throw new Error(`the /hooks writer's batch (${maxBatch}) is larger than an agent-run job takes (${MAX_SESSIONS_PER_RUN_JOB})`);
    this.#deps = deps;
    this.#windowHours = opts.replayWindowHours;
    this.#queue = new GroupCommit((writes) => this.#commit(writes), {
      maxQueue: opts.maxQueue,
      maxBatch,
      // Measured (bench/inbound, docs/benchmarks.md): on 2 cores one flush in flight beats two or
      // three, even written back to back on the one pipelined connection: a batch's fixed costs
      // outweigh the round trip saved, so batches grow to absorb the load instead.
      maxInFlight: opts.maxInFlight ?? 1,
      failedAlone: (err) => (unstorable(err) ? new UnstorableInput((err as Error).message, { cause: err }) : err),
    });
  }

  /** Writes waiting for a flush (not those being flushed). */
  get queued(): number {
    return this.#queue.queued;
  }

  write(write: InboundWrite): Promise<InboundResult> {
    return this.#queue.write(write);
  }

  async #commit(writes: InboundWrite[]): Promise<InboundResult[]> {
    const batch = await this.#prepare(writes);
    const workspaces = batch.writes.map((w) => w.t.workspaceId);
    const write = (careful: boolean) => this.#deps.audit.retrying(workspaces, () => this.#deps.pipeline.transaction((p) => this.#write(p, batch, careful)));
    // Optimistic first: one statement for the whole batch, assuming no message id is in replay
    // memory; when one is, that transaction rolls back and the careful path sorts it out.
    return write(false).catch((err) => (keyTaken(err) ? write(true) : Promise.reject(err)));
  }

  async #prepare(input: InboundWrite[]): Promise<Batch> {
    const writes = input.map(storableWrite);
    const owner = batchOwners(writes);
    const sessionIds = writes.map((w, i) => (w.kind === 'accept' && w.inputs && owner[i] === undefined ? newId('session') : undefined));
    const starting = writes.flatMap((w, i) => (w.kind === 'accept' && sessionIds[i] ? [{ w, sessionId: sessionIds[i] }] : []));
    const events = await planEvents(this.#deps.subscriptionFilters, starting.map(({ w, sessionId }) =>
      ({ workspaceId: w.t.workspaceId, type: 'session.created', sessionId, hops: w.hops, data: { sessionId, agent: w.t.agent, triggerId: w.t.id, inputs: w.inputs } })));
    const eventOf = new Map(events.events.map((e) => [e.input.sessionId, e.id]));
    return {
      writes, owner, sessionIds, events,
      rowIds: writes.map(() => newId('inboundDelivery')),
      inputsJson: writes.map((w) => (w.kind === 'accept' && w.inputs ? JSON.stringify(w.inputs) : null)),
      eventIds: sessionIds.map((id) => (id === undefined ? undefined : eventOf.get(id))),
    };
  }

  async #write(p: Pipeline, batch: Batch, careful: boolean): Promise<InboundResult[]> {
    const memory = memoryRows(batch);
    // The careful path settles the replay memory first, in its own statement.
    const firsts = careful && memory.length > 0 ? await this.#rememberCarefully(p, batch, memory) : new Map<number, InboundRecord>();
    const results = settle(batch, firsts);
    const started = batch.writes.flatMap((w, i) => (w.kind === 'accept' && w.inputs && !results[i]!.replayed ? [i] : []));
    // Accepts that turned out to be replays start nothing: their planned events are left out.
    const created = selectPlanned(batch.events, started.map((i) => batch.eventIds[i]!));
    const deliveries = deliveryRows(batch, results);
    const sessions = started.map((i) => sessionRow(batch, i));
    const statements = await recordStatements(this.#deps.boss);
    // The statements after this one do not depend on its answer and go out behind it at once (pipelined).
    void p.send({ name: careful ? 'inbound-record' : 'inbound-record-optimistic', text: careful ? statements.careful : statements.optimistic }, [
      ...rowParams(deliveries, DELIVERY_COLUMNS), ...rowParams(sessions, SESSION_COLUMNS), ...eventsParams(created),
      ...(careful ? [] : rowParams(memory, MEMORY_COLUMNS)),
    ]);
    appendAudits(p, this.#deps.audit, batch, deliveries);
    return results;
  }

  /**
   * Remembers the batch's keys on their own and finds, for each request that lost one to a message
   * accepted earlier, that message's first answer. A request that lost on one key is a replay: its
   * other keys must not remember it.
   */
  async #rememberCarefully(p: Pipeline, batch: Batch, memory: MemoryRow[]): Promise<Map<number, InboundRecord>> {
    const { rows: won } = await p.send<{ trigger_id: string; message_id: string }>({ name: 'inbound-remember', text: REMEMBER },
      [...rowParams(memory, MEMORY_COLUMNS), this.#windowHours]);
    const taken = new Set(won.map((r) => memoryKey(r.trigger_id, r.message_id)));
    const lost = new Set(memory.filter((m) => !taken.has(memoryKey(m.triggerId, m.key))).map((m) => m.i));
    const orphans = memory.filter((m) => lost.has(m.i) && taken.has(memoryKey(m.triggerId, m.key)));
    if (orphans.length > 0) {
      void p.send(`DELETE FROM inbound_message m USING unnest($1::text[], $2::text[]) AS k(t, m) WHERE m.trigger_id = k.t AND m.message_id = k.m`,
        [orphans.map((m) => m.triggerId), orphans.map((m) => m.key)]);
    }
    if (lost.size === 0) return new Map();
    const probes = memory.filter((m) => lost.has(m.i));
    const { rows } = await p.send<{ trigger_id: string; message_id: string; delivery_id: string; session_id: string | null }>(
      `SELECT m.trigger_id, m.message_id, m.delivery_id, m.session_id FROM inbound_message m
       JOIN unnest($1::text[], $2::text[]) AS k(t, m) ON m.trigger_id = k.t AND m.message_id = k.m`,
      [probes.map((m) => m.triggerId), probes.map((m) => m.key)],
    );
    const byKey = new Map(rows.map((r) => [memoryKey(r.trigger_id, r.message_id), r]));
    const firsts = new Map<number, InboundRecord>();
    for (const i of lost) {
      const w = batch.writes[i]!;
      const f = w.facts.replayKeys.map((k) => byKey.get(memoryKey(w.t.id, k))).find((r) => r !== undefined);
      // Keys are stored as they are compared (storable text), and a key kept within the window
      // stays locked by the insert above until the commit: its row is there.
      if (!f) throw new Error('the first of a replayed message is not in replay memory');
      firsts.set(i, { deliveryId: f.delivery_id, sessionId: f.session_id, ignored: f.session_id === null });
    }
    return firsts;
  }
}

/** A replay memory row's primary key (trigger, key) as one map key. */
const memoryKey = (triggerId: string, key: string) => `${triggerId} ${key}`;

/** The request-derived text of a write, made storable (the checks leave it as sent). */
function storableWrite(w: InboundWrite): InboundWrite {
  const f = w.facts;
  const facts = {
    ...f,
    sourceIp: f.sourceIp === undefined ? undefined : storableString(f.sourceIp, 100),
    contentType: f.contentType === undefined ? undefined : storableString(f.contentType, 255),
    messageId: f.messageId === undefined ? undefined : storableString(f.messageId, 300),
  };
  return w.kind === 'refuse' ? { ...w, facts, refusal: { ...w.refusal, message: storableString(w.refusal.message, 1000) } } : { ...w, facts };
}

/**
 * Replay memory's primary key decides between concurrent duplicates, in this batch or not. Within
 * the batch it is settled here: an accept sharing a key with an earlier one loses to it.
 */
function batchOwners(writes: InboundWrite[]): Array<number | undefined> {
  const holder = new Map<string, number>();
  return writes.map((w, i) => {
    if (w.kind !== 'accept') return undefined;
    const keys = w.facts.replayKeys.map((k) => memoryKey(w.t.id, k));
    const owner = keys.map((k) => holder.get(k)).find((o) => o !== undefined);
    if (owner === undefined) for (const k of keys) holder.set(k, i);
    return owner;
  });
}

/** The memory rows of the batch's accepts that lose to no other of it, sorted by key: transactions inserting the same keys then wait for each other rather than deadlock. */
function memoryRows(batch: Batch): MemoryRow[] {
  const rows = batch.writes.flatMap((w, i) => (w.kind === 'accept' && batch.owner[i] === undefined
    ? w.facts.replayKeys.map((key): MemoryRow => ({ triggerId: w.t.id, key, deliveryId: batch.rowIds[i]!, sessionId: batch.sessionIds[i] ?? null, acceptedAt: w.facts.receivedAt, i }))
    : []));
  const keyed = rows.map((m) => ({ m, key: memoryKey(m.triggerId, m.key) }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ m }) => m);
}

/** Each request's answer: its own record, or, for a replay, its first's (a loser within the batch takes its owner's). */
function settle(batch: Batch, firsts: Map<number, InboundRecord>): InboundResult[] {
  const results: InboundResult[] = [];
  batch.writes.forEach((w, i) => {
    const owner = batch.owner[i];
    const first = w.kind === 'replay' ? w.first : firsts.get(i) ?? (owner === undefined ? undefined : results[owner]);
    results.push(first
      ? { deliveryId: first.deliveryId, sessionId: first.sessionId, ignored: first.ignored, replayed: true }
      : { deliveryId: batch.rowIds[i]!, sessionId: batch.sessionIds[i] ?? null, ignored: w.kind === 'handshake' || (w.kind === 'accept' && !w.inputs), replayed: false });
  });
  return results;
}

function deliveryRows(batch: Batch, results: InboundResult[]): DeliveryRow[] {
  return batch.writes.map((w, i) => {
    const r = results[i]!;
    const f = w.facts;
    const answer = w.kind === 'refuse' ? { outcome: 'REFUSED' as const, statusCode: w.refusal.status, refusalCode: w.refusal.code, refusalReason: w.refusal.message }
      : { outcome: r.replayed ? 'REPLAYED' as const : r.ignored ? 'IGNORED' as const : 'ACCEPTED' as const, statusCode: w.kind === 'handshake' ? 200 : 202, refusalCode: null, refusalReason: null };
    return {
      id: batch.rowIds[i]!, workspaceId: w.t.workspaceId, triggerId: w.t.id, receivedAt: f.receivedAt, ...answer,
      messageId: f.messageId ?? null, sourceIp: f.sourceIp ?? null, contentType: f.contentType ?? null, payloadSha256: f.payloadSha256,
      payloadBytes: f.payloadBytes, mappedInputs: r.replayed ? null : batch.inputsJson[i]!, sessionId: w.kind === 'refuse' || w.kind === 'handshake' ? null : r.sessionId,
    };
  });
}

function sessionRow(batch: Batch, i: number): SessionRow {
  const w = batch.writes[i] as Extract<InboundWrite, { kind: 'accept' }>;
  return { id: batch.sessionIds[i]!, workspaceId: w.t.workspaceId, agent: w.t.agent, triggerId: w.t.id, inputs: batch.inputsJson[i]!, createdAt: w.facts.receivedAt, hops: w.hops };
}

/**
 * Deliveries per inbound.received message: ids and trigger ids of about 70 bytes each stay well
 * under NOTIFY's 8000 bytes. One message per flush and workspace, not one per request.
 */
const RECEIVED_PER_MESSAGE = 75;

/** An audit row per delivery, and their inbound.received NOTIFYs; each workspace's chain head stays locked from here to the commit. */
function appendAudits(p: Pipeline, audit: AuditChainWriter, batch: Batch, deliveries: DeliveryRow[]): void {
  const byWorkspace = Map.groupBy(deliveries.keys(), (i) => deliveries[i]!.workspaceId);
  for (const [workspaceId, indexes] of [...byWorkspace].sort(([a], [b]) => a.localeCompare(b))) {
    const received = chunkedMessages('inbound.received', workspaceId, indexes, RECEIVED_PER_MESSAGE,
      (chunk) => ({ deliveries: chunk.map((i) => ({ id: deliveries[i]!.id, triggerId: deliveries[i]!.triggerId })) }));
    // append writes its statement before it returns: into the pipeline, in order.
    void p.also(audit.append(p.client, workspaceId, indexes.map((i): AuditInput => {
      const d = deliveries[i]!;
      const f = batch.writes[i]!.facts;
      return {
        workspaceId, direction: 'INBOUND', triggerId: d.triggerId, subscriptionId: null, deliveryId: d.id, eventType: null,
        headersSha256: f.headersSha256, payloadSha256: f.payloadSha256, occurredAt: f.receivedAt, durationMs: Date.now() - f.receivedAt.getTime(),
        attempt: null, statusCode: d.statusCode, outcome: d.outcome, errorClass: d.refusalCode, sourceIp: d.sourceIp,
      };
    }), received));
  }
}
