// Live subscriptions shared by every socket that asked the same thing (SPEC §10, §15). Executing
// each update once per subscription made the cost of an update grow with the number of watchers
// (200 dashboards: 200 executions and 200 serializations of the same result). Subscriptions are
// grouped by what their result depends on: the workspace, the role (it decides what is masked,
// urlShownTo), the document's text, its operationName and its variables. A group has one source
// stream and executes each message once; the result is serialized once and written to every
// member's socket at once, so a slow or dead socket never delays the others (its own bound closes
// it, 4008). What a group cannot execute as fast as messages arrive piles up in its source, which
// ends every member with SubscriberOverflow past MAX_QUEUED_PER_SUBSCRIBER.
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Principal } from '../auth/principal.ts';
import type { Metrics } from '../platform/metrics.ts';

type Gauges = Pick<Metrics, 'graphqlWsLiveGroups' | 'graphqlWsLiveSubscriptions'>;

/** One subscription operation of one socket: where the group's results go. */
export interface LiveMember {
  /** The operation's id on its socket. */
  id: string;
  /** Writes one protocol message on the socket now, never waiting for the peer. */
  send(frame: string): void;
}

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** A result's errors as HTTP answers them (domain codes in extensions, no internals); undefined when it has none. */
export const formattedResult = (result: ExecutionResult, format: FormatError): FormattedExecutionResult | undefined =>
  result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : undefined;

/**
 * Messages of one group being executed at once: their reads overlap (each takes a round trip or
 * two). Past it, the group stops taking messages from its source until the oldest is sent.
 */
const MAX_IN_FLIGHT = 32;

/** Everything a subscription's results depend on besides the messages: equal keys, equal results. */
export function groupKey(principal: Principal, payload: { query: string; operationName?: string | null; variables?: unknown }): string {
  return JSON.stringify([principal.workspaceId, principal.role, payload.query, payload.operationName ?? null, payload.variables ?? null]);
}

const done: IteratorResult<never> = { value: undefined, done: true };

export class LiveGroups {
  readonly #groups = new Map<string, Promise<LiveGroup | ExecutionResult>>();
  readonly #format: FormatError;
  readonly #gauges: Gauges;

  constructor(format: FormatError, gauges: Gauges) {
    this.#format = format;
    this.#gauges = gauges;
  }

  /**
   * graphql-ws's `subscribe` for one member: the group's results are written to `member` directly;
   * the iterator returned never yields, and ends when the member leaves (return()) or the group
   * ends (done, or the group's error). A refusal (say, a role that may not read) is returned as
   * the ExecutionResult it is, and no group is kept.
   */
  async join(key: string, args: ExecutionArgs, member: LiveMember): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    let pending = this.#groups.get(key);
    const forget = () => {
      if (this.#groups.get(key) === pending) this.#groups.delete(key);
      this.#gauges.graphqlWsLiveGroups.set(this.#groups.size);
    };
    if (!pending) {
      pending = this.#open(args, forget);
      this.#groups.set(key, pending);
      this.#gauges.graphqlWsLiveGroups.set(this.#groups.size);
    }
    let group: LiveGroup | ExecutionResult;
    try {
      group = await pending;
    } catch (err) {
      forget();
      throw err;
    }
    if (!(group instanceof LiveGroup)) {
      forget();
      return group;
    }
    // A group that ended while this member waited for it is gone from the map: a new one opens.
    return group.add(member) ?? this.join(key, args, member);
  }

  async #open(args: ExecutionArgs, forget: () => void): Promise<LiveGroup | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const members = this.#gauges.graphqlWsLiveSubscriptions;
    return new LiveGroup(stream[Symbol.asyncIterator](), args, this.#format, { forget, members: (change) => members.inc(change) });
  }
}

interface Settle {
  resolve(result: IteratorResult<never>): void;
  reject(err: unknown): void;
}

class LiveGroup {
  readonly #members = new Map<LiveMember, Settle>();
  /** Each member's frame prefix, its id serialized once. */
  readonly #prefixes = new WeakMap<LiveMember, string>();
  readonly #source: AsyncIterator<unknown>;
  readonly #args: ExecutionArgs;
  readonly #format: FormatError;
  readonly #on: { forget(): void; members(change: number): void };
  #ended = false;

  /** `on.forget` when the group ends; `on.members` as members come and go. */
  constructor(source: AsyncIterator<unknown>, args: ExecutionArgs, format: FormatError, on: { forget(): void; members(change: number): void }) {
    this.#source = source;
    this.#args = args;
    this.#format = format;
    this.#on = on;
    void this.#pump();
  }

  /** The member's iterator, or undefined when the group has ended already. */
  add(member: LiveMember): AsyncIterableIterator<never> | undefined {
    if (this.#ended) return undefined;
    let settle!: Settle;
    const ended = new Promise<IteratorResult<never>>((resolve, reject) => (settle = { resolve, reject }));
    // Awaited by graphql-ws as soon as it holds the iterator; until then an error must not count as unhandled.
    ended.catch(() => {});
    this.#members.set(member, settle);
    this.#on.members(1);
    this.#prefixes.set(member, `{"id":${JSON.stringify(member.id)},"type":"next","payload":`);
    const leave = async (): Promise<IteratorResult<never>> => {
      if (!this.#members.delete(member)) return done;
      this.#on.members(-1);
      settle.resolve(done);
      if (this.#members.size === 0) this.#end();
      return done;
    };
    return {
      next: () => ended,
      return: leave,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Takes messages from the source in order and executes them, several at once; sends the results in order. */
  async #pump(): Promise<void> {
    // Each message's send, in order: the oldest is awaited once MAX_IN_FLIGHT are under way.
    const sends: Array<Promise<void>> = [];
    let tail: Promise<void> = Promise.resolve();
    let failed: unknown;
    try {
      for (;;) {
        while (sends.length >= MAX_IN_FLIGHT) await sends.shift();
        const item = await this.#source.next();
        if (item.done || this.#ended) break;
        const result = execute({ ...this.#args, rootValue: item.value });
        tail = tail.then(() => result).then((r) => this.#broadcast(r), (err: unknown) => this.#end(err));
        sends.push(tail);
      }
    } catch (err) {
      failed = err;
    }
    // What was executed before the source ended, or failed, is sent before the group ends.
    await tail;
    this.#end(failed);
  }

  #broadcast(result: ExecutionResult): void {
    if (this.#ended) return;
    // Same shape as graphql-ws's own next message, with the same error formatting as HTTP.
    const payload = formattedResult(result, this.#format) ?? result;
    const json = `${JSON.stringify(payload)}}`;
    for (const member of this.#members.keys()) member.send(this.#prefixes.get(member)! + json);
  }

  /** Ends every member (with `err` when the source or an execution failed) and stops listening. */
  #end(err?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#on.forget();
    this.#on.members(-this.#members.size);
    for (const settle of this.#members.values()) {
      if (err === undefined) settle.resolve(done);
      else settle.reject(err);
    }
    this.#members.clear();
    void this.#source.return?.();
  }
}
