// bench/fanout: how fan-out scales. (1) publish-to-last-receipt of one event with 1, 100 and 1,000
// ACTIVE subscriptions on its type (all-in-one gateway, median of BENCH_REPEAT publishes each):
// linear or better means the per-subscription cost does not grow. (2) A burst of deliveries
// (BENCH_BURST_EVENTS events to 100 subscriptions) with one API process and one, then two, worker
// processes on these 2 cores: deliveries/s.
//   npm run bench:fanout      (BENCH_REPEAT=5 BENCH_BURST_EVENTS=100)
import { type ChildProcess } from 'node:child_process';
import { benchDatabase, gql, receiver, startGateway, startMoreGateway, stopProcess } from './support.ts';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const BURST_EVENTS = Number(process.env.BENCH_BURST_EVENTS ?? 100);
const env = { ALLOW_INSECURE_TARGETS: 'true', ALLOW_PRIVATE_TARGETS: 'true' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Receiver = Awaited<ReturnType<typeof receiver>>;

async function subscribe(origin: string, admin: string, url: string, count: number, type: string): Promise<void> {
  // Ten at a time: each creation pings the receiver before it answers.
  for (let i = 0; i < count; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, async () => {
      const r = await gql(origin, admin, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }',
        { i: { url, events: [type] } });
      if (r.data?.createWebhookSubscription.subscription.status !== 'ACTIVE') throw new Error(JSON.stringify(r.errors ?? r.data));
    }));
  }
}

async function publish(origin: string, key: string, events: unknown[]): Promise<void> {
  const r = await fetch(`${origin}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
  const text = await r.text();
  // A batch answers 200 even when every event was refused: each result must carry its id.
  if (r.status !== 200 || !(JSON.parse(text) as { results: Array<{ id?: string }> }).results.every((x) => x.id)) throw new Error(`publish answered ${r.status}: ${text.slice(0, 500)}`);
}

const review = (i: number) => ({ type: 'review.completed', data: { sessionId: 'ses_fan', reviewId: `rev_${i}`, verdict: 'approved' } });
const imported = (i: number) => ({ type: 'import.completed', data: { importId: `imp_${i}`, source: 'bench', itemsImported: i, itemsFailed: 0 } });

/** (1) One event to 1, 100, 1,000 subscriptions: publish to the last receipt, median of REPEAT. */
async function fanOutLatency(db: Awaited<ReturnType<typeof benchDatabase>>, r: Receiver) {
  const gw = await startGateway(db, [], env);
  try {
    const publisher = (await gql(gw.origin, gw.adminKey, 'mutation { createApiKey(input: {name: "fan", role: PUBLISHER}) { key } }')).data.createApiKey.key as string;
    let subscribed = 0;
    const rows: Array<{ n: number; ms: number }> = [];
    for (const n of [1, 100, 1000]) {
      await subscribe(gw.origin, gw.adminKey, `${r.url}/fan`, n - subscribed, 'review.completed');
      subscribed = n;
      const times: number[] = [];
      for (let k = 0; k < REPEAT; k++) {
        r.reset();
        const t0 = performance.now();
        await publish(gw.origin, publisher, [review(k)]);
        await r.until(n);
        times.push(performance.now() - t0);
      }
      rows.push({ n, ms: median(times) });
      console.log(`fan-out to ${String(n).padStart(4)} subscriptions: publish to last receipt ${median(times).toFixed(0).padStart(6)} ms (median of ${REPEAT}), ${(median(times) / n).toFixed(2)} ms per subscription`);
    }
    return rows;
  } finally {
    await stopProcess(gw.child);
  }
}

/** (2) BURST_EVENTS events to 100 subscriptions, delivered by `workers` worker processes. */
async function burst(db: Awaited<ReturnType<typeof benchDatabase>>, r: Receiver, workers: number) {
  const api = await startGateway(db, ['--role', 'api'], env);
  const children: ChildProcess[] = [api.child];
  try {
    const publisher = (await gql(api.origin, api.adminKey, 'mutation { createApiKey(input: {name: "burst", role: PUBLISHER}) { key } }')).data.createApiKey.key as string;
    await subscribe(api.origin, api.adminKey, `${r.url}/burst`, 100, 'import.completed');
    for (let w = 0; w < workers; w++) children.push((await startMoreGateway(db, ['--role', 'worker'], api.masterKey, env)).child);
    r.reset();
    const t0 = performance.now();
    for (let i = 0; i < BURST_EVENTS; i += 100) await publish(api.origin, publisher, Array.from({ length: Math.min(100, BURST_EVENTS - i) }, (_, k) => imported(i + k)));
    await r.until(BURST_EVENTS * 100);
    const seconds = (performance.now() - t0) / 1000;
    const perSecond = (BURST_EVENTS * 100) / seconds;
    console.log(`burst of ${BURST_EVENTS * 100} deliveries with ${workers} worker process(es): ${perSecond.toFixed(0)}/s (${seconds.toFixed(1)} s)`);
    return perSecond;
  } finally {
    for (const c of children.reverse()) await stopProcess(c);
  }
}

async function main() {
  const r = await receiver();
  try {
    const one = await benchDatabase();
    let rows;
    try {
      rows = await fanOutLatency(one, r);
    } finally {
      await one.cleanup();
    }
    // Each burst on a database of its own, so neither inherits the other's rows and queues.
    const rates: number[] = [];
    for (const workers of [1, 2]) {
      const db = await benchDatabase();
      try {
        rates.push(await burst(db, r, workers));
      } finally {
        await db.cleanup();
      }
    }
    const growth = rows[2]!.ms / rows[0]!.ms;
    console.log(`fanout ms_1=${rows[0]!.ms.toFixed(0)} ms_100=${rows[1]!.ms.toFixed(0)} ms_1000=${rows[2]!.ms.toFixed(0)} growth_1000x=${growth.toFixed(1)} workers1_per_s=${rates[0]!.toFixed(0)} workers2_per_s=${rates[1]!.toFixed(0)}`);
  } finally {
    await r.close();
  }
}

await main();
