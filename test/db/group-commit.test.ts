// Group commit (src/platform/db/group-commit.ts): writes queued while a transaction is written share
// the next one; with two transactions allowed, the second starts only for a backlog (overlapFrom),
// and every write is answered, in order, by the transaction that held it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../src/platform/db/group-commit.ts';

/** A commit function whose transactions end when the test says so. */
function controlled() {
  const started: Array<{ writes: number[]; end: () => void }> = [];
  const commit = (writes: number[]) => new Promise<number[]>((resolve) => {
    started.push({ writes, end: () => resolve(writes.map((w) => w * 10)) });
  });
  return { started, commit };
}

/** Every callback already due has run: the answers a commit defers by one immediate, and the flushes they let start. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('with two transactions allowed, starts the second only while a backlog of overlapFrom writes waits', async () => {
    const { started, commit } = controlled();
    const gc = new GroupCommit<number, number>(commit, { maxBatch: 10, maxQueue: 100, maxInFlight: 2, overlapFrom: 3 });
    const answers = [gc.write(1)];
    assert.deepEqual(started.map((s) => s.writes), [[1]], 'the first write starts a transaction at once');
    answers.push(...gc.writeAll([2, 3]));
    assert.equal(started.length, 1, 'two waiting writes are no backlog: they wait for the next commit');
    answers.push(gc.write(4));
    assert.deepEqual(started.map((s) => s.writes), [[1], [2, 3, 4]], 'three are: the second transaction takes them');
    answers.push(gc.write(5));
    assert.equal(started.length, 2, 'never more than two at once');
    started[1]!.end();
    assert.deepEqual(await Promise.all(answers.slice(1, 4)), [20, 30, 40]);
    await settled();
    assert.equal(started.length, 2, 'one write waiting beside a transaction in flight is no backlog');
    started[0]!.end();
    await settled();
    assert.deepEqual(started.map((s) => s.writes), [[1], [2, 3, 4], [5]], 'none in flight: the next takes whatever waits');
    started[2]!.end();
    assert.deepEqual(await Promise.all(answers), [10, 20, 30, 40, 50]);
  });

  it('with one transaction allowed (the default), a backlog waits for it', async () => {
    const { started, commit } = controlled();
    const gc = new GroupCommit<number, number>(commit, { maxBatch: 10, maxQueue: 100, overlapFrom: 1 });
    const answers = [gc.write(1), ...gc.writeAll([2, 3, 4, 5])];
    assert.deepEqual(started.map((s) => s.writes), [[1]]);
    started[0]!.end();
    await settled();
    assert.deepEqual(started.map((s) => s.writes), [[1], [2, 3, 4, 5]]);
    started[1]!.end();
    assert.deepEqual(await Promise.all(answers), [10, 20, 30, 40, 50]);
  });

  it('starts the next transaction before it answers the writes of the one that committed', async () => {
    const { started, commit } = controlled();
    const order: string[] = [];
    const gc = new GroupCommit<number, number>((writes) => {
      order.push(`transaction ${writes.join(',')}`);
      return commit(writes);
    }, { maxBatch: 10, maxQueue: 100 });
    const first = gc.write(1).then((r) => order.push(`answer ${r}`));
    const second = gc.write(2).then((r) => order.push(`answer ${r}`));
    started[0]!.end();
    await first;
    // Answering runs the callers' continuations (each writes its HTTP answer): the database would
    // wait for all of them if the next transaction were started only after.
    assert.deepEqual(order, ['transaction 1', 'transaction 2', 'answer 10']);
    started[1]!.end();
    await second;
    assert.deepEqual(order, ['transaction 1', 'transaction 2', 'answer 10', 'answer 20']);
  });

  it('halves a failing batch started beside the deferred answers of the one before, never two transactions at once', async () => {
    let open = 0;
    let most = 0;
    const gc = new GroupCommit<number, number>(async (writes) => {
      most = Math.max(most, ++open);
      try {
        // A transaction spans a few turns of the event loop, as a real one spans its round trips.
        for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
        if (writes.includes(13)) throw Object.assign(new Error('value 13 cannot be stored'), { code: '22000' });
        return writes.map((w) => w * 10);
      } finally {
        open--;
      }
    }, { maxBatch: 10, maxQueue: 100 });
    const first = gc.write(1);
    const rest = gc.writeAll([12, 13, 14, 15]);
    // Queued when the first is answered: the failing batch is in flight by then, and this waits for all of it.
    const later = first.then(() => gc.write(16));
    const answers = await Promise.allSettled([first, ...rest, later]);
    assert.deepEqual(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message)), [10, 120, 'value 13 cannot be stored', 140, 150, 160]);
    assert.equal(most, 1, 'a halved batch ran beside another transaction');
  });

  it('does not cut the writes of one writeAll across two transactions when they fit in one', async () => {
    const { started, commit } = controlled();
    const gc = new GroupCommit<number, number>(commit, { maxBatch: 3, maxQueue: 100 });
    const answers = [gc.write(0), ...gc.writeAll([1, 2]), ...gc.writeAll([3, 4])];
    started[0]!.end();
    await settled();
    assert.deepEqual(started.map((s) => s.writes), [[0], [1, 2]], 'the next group would not fit whole: it waits');
    started[1]!.end();
    await settled();
    assert.deepEqual(started.map((s) => s.writes), [[0], [1, 2], [3, 4]]);
    started[2]!.end();
    await settled();
    const many = gc.writeAll([5, 6, 7, 8]);
    assert.deepEqual(started[3]!.writes, [5, 6, 7], 'a group larger than maxBatch is cut at maxBatch');
    started[3]!.end();
    await settled();
    started[4]!.end();
    assert.deepEqual(await Promise.all([...answers, ...many]), [0, 10, 20, 30, 40, 50, 60, 70, 80]);
  });
  it('writes a failed transaction again in halves while the other is in flight: the bad write fails alone, every other is answered once', async () => {
    const commits: number[][] = [];
    let releaseOther!: () => void;
    const other = new Promise<void>((resolve) => (releaseOther = resolve));
    const gc = new GroupCommit<number, number>(async (writes) => {
      commits.push(writes);
      if (writes.includes(0)) await other; // the first transaction stays in flight
      if (writes.includes(13)) throw Object.assign(new Error('unstorable'), { code: '22P02' });
      return writes.map((w) => w * 10);
    }, { maxBatch: 10, maxQueue: 100, maxInFlight: 2, overlapFrom: 4 });
    const first = gc.write(0);
    const backlog = gc.writeAll([11, 12, 13, 14]);
    const settledBacklog = await Promise.allSettled(backlog);
    assert.deepEqual(settledBacklog.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code)), [110, 120, '22P02', 140]);
    assert.deepEqual(commits, [[0], [11, 12, 13, 14], [11, 12], [13, 14], [13], [14]], 'halved down to the bad write, beside the first');
    releaseOther();
    assert.equal(await first, 0);
  });
});
