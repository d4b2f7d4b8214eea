// Group commit (../shared/PERFORMANCE.md): writes are queued and flushed in batches, each batch one
// transaction, and every write is answered only after the commit that holds it. One write that
// cannot be stored must not fail the others (SPEC §15): a failed batch is written again in halves,
// down to the write that fails alone, which alone gets the error.
import { isDatabaseUnavailable } from '../database-errors.ts';

/** The queue of writes waiting for a commit is full: the caller is turned away at once, to retry later. */
export class WriterQueueFull extends Error {}

export interface GroupCommitOptions {
  /** Writes per transaction. */
  maxBatch: number;
  /**
   * While the database is slow or stalled, writes would wait here without bound, each holding its
   * request: past this many they are refused at once.
   */
  maxQueue: number;
  /** Transactions in flight at once (one keeps batches large; see the inbound writer's note). */
  maxInFlight?: number;
  /**
   * With maxInFlight above one: a further transaction starts only while at least this many writes
   * wait, so a backlog is written side by side while a steady trickle still shares one commit.
   */
  overlapFrom?: number;
  /** What a write that fails alone is told (default: the database's error). */
  failedAlone?: (err: unknown) => unknown;
}

interface Pending<W, R> {
  write: W;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
  /** The last write of its writeAll(). */
  ends: boolean;
}

export class GroupCommit<W, R> {
  readonly #commit: (writes: W[]) => Promise<R[]>;
  readonly #opts: Required<Omit<GroupCommitOptions, 'failedAlone'>> & Pick<GroupCommitOptions, 'failedAlone'>;
  #queue: Array<Pending<W, R>> = [];
  #inFlight = 0;

  /** `commit` writes a batch in one transaction and answers each write, in order. */
  constructor(commit: (writes: W[]) => Promise<R[]>, opts: GroupCommitOptions) {
    this.#commit = commit;
    this.#opts = { maxInFlight: 1, overlapFrom: 1, ...opts };
  }

  /** Writes waiting for a flush (not those being flushed). */
  get queued(): number {
    return this.#queue.length;
  }

  write(write: W): Promise<R> {
    return this.writeAll([write])[0]!;
  }

  /**
   * Several writes queued together, each answered on its own. One flush holds them all when they
   * fit in maxBatch: with two flushes in flight, a group cut in two could commit its later part
   * first (a batch's repeated idempotency key must go to its first event).
   */
  writeAll(writes: W[]): Array<Promise<R>> {
    if (this.#queue.length + writes.length > this.#opts.maxQueue) {
      const full = new WriterQueueFull(`${this.#queue.length} writes already wait for a commit`);
      return writes.map(() => Promise.reject(full));
    }
    const answers = writes.map((write, i) => new Promise<R>((resolve, reject) => this.#queue.push({ write, resolve, reject, ends: i === writes.length - 1 })));
    this.#pump();
    return answers;
  }

  #pump(): void {
    const { maxInFlight, overlapFrom } = this.#opts;
    while (this.#inFlight < maxInFlight && this.#queue.length > 0 && (this.#inFlight === 0 || this.#queue.length >= overlapFrom)) {
      const batch = this.#queue.splice(0, this.#cut());
      this.#inFlight++;
      let done = false;
      const next = () => {
        if (done) return;
        done = true;
        this.#inFlight--;
        if (this.#queue.length > 0) this.#pump();
      };
      void this.#flush(batch, next).finally(next);
    }
  }

  /** How many queued writes the next flush takes: up to maxBatch, not cutting a group that fits one. */
  #cut(): number {
    const max = this.#opts.maxBatch;
    if (this.#queue.length <= max) return this.#queue.length;
    let end = max;
    while (end > 0 && !this.#queue[end - 1]!.ends) end--;
    return end > 0 ? end : max;
  }

  /**
   * `next` starts the flush after this one: called, once committed, before the answers go out.
   * Halves are flushed without it: their slot is freed when the whole batch is done.
   */
  async #flush(batch: Array<Pending<W, R>>, next?: () => void): Promise<void> {
    let results: R[];
    try {
      results = await this.#commit(batch.map((q) => q.write));
    } catch (err) {
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        const answer = batch.length === 1 && this.#opts.failedAlone ? this.#opts.failedAlone(err) : err;
        for (const q of batch) q.reject(answer);
        return;
      }
      // One half after the other: on a pipelined connection a failed transaction can fail the one
      // written behind it (a statement name it was first to prepare).
      const half = Math.ceil(batch.length / 2);
      await this.#flush(batch.slice(0, half));
      await this.#flush(batch.slice(half));
      return;
    }
    // Outside the try: what follows the commit must never send a committed batch to be halved.
    if (next) {
      const inFlight = this.#inFlight;
      next();
      // The next batch's statements go to the database before this batch's answers are written
      // (a socket write each, in the callers' continuations), which would otherwise leave it idle
      // (docs/benchmarks.md, tenth session: +8 % single publishes, +3.5 % /hooks). Whatever of the
      // next batch's preparation needs no I/O runs before the immediate; a preparation that waits
      // on a query lets the answers go first. When nothing started, nothing is worth the wait.
      if (this.#inFlight >= inFlight) await new Promise((r) => setImmediate(r));
    }
    batch.forEach((q, i) => q.resolve(results[i]!));
  }
}
