// bench/outbound: delivers N events to a local receiver with 1 and with 100 subscriptions, and in
// the same run a bare undici sender posts the same signed bodies to the same receiver (50 in
// flight). Prints deliveries/s and publish-to-receipt p50/p99 for each, and the ratio. Then the
// same events to a subscription limited to 50/s and to an unlimited one: how long each takes
// (the unlimited one is not held behind the other; a relative speed, so measured here, not tested).
//   npm run bench:outbound        (BENCH_EVENTS_1=5000 BENCH_EVENTS_100=200 BENCH_EVENTS_LIMITED=1000 by default)
import { createHmac, randomBytes } from 'node:crypto';
import { Pool as HttpPool } from 'undici';
import { benchDatabase, cpuMeter, gql, pgStatements, postmasterPid, receiver, startGateway, stopProcess } from './support.ts';

const EVENTS_1 = Number(process.env.BENCH_EVENTS_1 ?? 5000);
const EVENTS_100 = Number(process.env.BENCH_EVENTS_100 ?? 200);
const EVENTS_LIMITED = Number(process.env.BENCH_EVENTS_LIMITED ?? 1000);

interface Run { name: string; deliveries: number; seconds: number; perSecond: number; p50: number; p99: number }

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const report = (r: Run) =>
  console.log(`${r.name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)}/s  publish-to-receipt p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  (${r.deliveries} in ${r.seconds.toFixed(1)} s)`);

async function main() {
  const db = await benchDatabase();
  const rx = await receiver();
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    gateway = await startGateway(db, [], { ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
    const { origin, adminKey: admin } = gateway;
    const publisher = (await gql(origin, admin, 'mutation { createApiKey(input: {name: "bench", role: PUBLISHER}) { key } }')).data.createApiKey.key as string;
    console.log(`outbound benchmark: ${EVENTS_1} events to 1 subscription, ${EVENTS_100} events to 100 subscriptions, gateway --role all`);

    const subscribeOne = async (input: Record<string, unknown>) => {
      const r = await gql(origin, admin, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }', { i: input });
      if (r.data?.createWebhookSubscription.subscription.status !== 'ACTIVE') throw new Error(`subscription not active: ${JSON.stringify(r)}`);
    };
    const subscribe = async (n: number, events: string) => {
      for (let i = 0; i < n; i++) await subscribeOne({ url: `${rx.url}/s${i}`, events: [events] });
    };
    /** Publishes n events with 20 in flight, or paced at `perSecond` when given. */
    const publishAll = async (type: string, n: number, data: (i: number) => unknown, perSecond?: number) => {
      const client = new HttpPool(origin, { connections: 20 });
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (next < n) {
          const i = next++;
          if (perSecond) {
            const due = t0 + (i * 1000) / perSecond - performance.now();
            if (due > 0) await new Promise((r) => setTimeout(r, due));
          }
          const r = await client.request({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' }, body: JSON.stringify({ type, data: data(i) }) });
          await r.body.dump();
          if (r.statusCode !== 202) throw new Error(`publish answered ${r.statusCode}`);
        }
      }));
      await client.close();
    };
    const run = async (name: string, type: string, events: number, subs: number, data: (i: number) => unknown, perSecond?: number): Promise<Run> => {
      rx.reset();
      const started = performance.now();
      const done = rx.until(events * subs);
      await publishAll(type, events, data, perSecond);
      await done;
      const seconds = (performance.now() - started) / 1000;
      const l = rx.latencies();
      return { name, deliveries: events * subs, seconds, perSecond: (events * subs) / seconds, p50: pct(l, 0.5), p99: pct(l, 0.99) };
    };

    await subscribe(1, 'import.completed');
    const one = await run('gateway, 1 subscription', 'import.completed', EVENTS_1, 1, (i) => ({ importId: `i${i}`, source: 'bench', itemsImported: i, itemsFailed: 0 }));
    report(one);
    // Unsaturated: 100 events/s for 10 s, to read the latency a subscriber sees in normal traffic.
    const paced = await run('gateway, 1 subscription, 100/s paced', 'import.completed', 1000, 1, (i) => ({ importId: `p${i}`, source: 'bench', itemsImported: i, itemsFailed: 0 }), 100);
    report(paced);
    await subscribe(100, 'review.completed');
    await pgStatements(db.url()); // BENCH_PG_STATS: from here on, the 100-subscription run alone
    // The phase's bounds on the monotonic clock V8's CPU profiles use, to read the gateway's profile for it alone.
    const phaseStart = process.hrtime.bigint() / 1000n;
    const meter = cpuMeter({ gateway: gateway.child.pid!, database: postmasterPid(db) });
    const hundred = await run('gateway, 100 subscriptions', 'review.completed', EVENTS_100, 100, (i) => ({ sessionId: 's', reviewId: `r${i}`, verdict: 'ok' }));
    const cpu = meter(hundred.deliveries);
    if (process.env.BENCH_CPU_PROFILE) console.log(`100-subscription phase on the profile clock: ${phaseStart} ${process.hrtime.bigint() / 1000n} µs`);
    report(hundred);
    // CPU per delivery: what a shared machine's load moves least (the rates above move with it).
    if (!Number.isNaN(cpu.gateway)) console.log(`CPU per delivery (100-subscription run): gateway ${cpu.gateway.toFixed(0)} µs, database ${cpu.database.toFixed(0)} µs`);
    await pgStatements(db.url());

    // Baseline: the same number of signed bodies, posted straight to the receiver, 50 in flight.
    rx.reset();
    const total = EVENTS_100 * 100;
    const key = randomBytes(32);
    const bodies = Array.from({ length: total }, (_, i) => JSON.stringify({ id: `evt_${i}`, type: 'review.completed', timestamp: '', workspaceId: 'wsp_bench', data: { sessionId: 's', reviewId: `r${i}`, verdict: 'ok' } }));
    const sender = new HttpPool(rx.url, { connections: 50 });
    const started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (next < total) {
        const i = next++;
        const body = bodies[i]!.replace('"timestamp":""', `"timestamp":"${new Date().toISOString()}"`);
        const ts = Math.floor(Date.now() / 1000);
        const sig = createHmac('sha256', key).update(`evt_${i}.${ts}.${body}`).digest('base64');
        const r = await sender.request({ method: 'POST', path: '/bare', body, headers: { 'content-type': 'application/json', 'webhook-id': `evt_${i}`, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } });
        await r.body.dump();
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    await sender.close();
    const l = rx.latencies();
    const bare: Run = { name: 'bare undici sender (50 in flight)', deliveries: total, seconds, perSecond: total / seconds, p50: pct(l, 0.5), p99: pct(l, 0.99) };
    report(bare);

    const ratio = hundred.perSecond / bare.perSecond;
    console.log(`ratio (100 subscriptions / bare sender): ${ratio.toFixed(2)}; 1 subscription / bare sender: ${(one.perSecond / bare.perSecond).toFixed(2)}`);
    console.log(`unsaturated publish-to-receipt p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms`);

    // Isolation: one subscription limited to 50/s beside an unlimited one, for the same events. The
    // limited one needs EVENTS_LIMITED / 50 s by construction; the unlimited one should take about
    // what it takes alone.
    await subscribeOne({ url: `${rx.url}/limited`, events: ['tool.called'], rateLimitPerSecond: 50 });
    await subscribeOne({ url: `${rx.url}/free`, events: ['tool.called'] });
    rx.reset();
    const t0 = performance.now();
    const freeDone = rx.untilPath('/free', EVENTS_LIMITED).then(() => (performance.now() - t0) / 1000);
    const limitedDone = rx.untilPath('/limited', EVENTS_LIMITED).then(() => (performance.now() - t0) / 1000);
    await publishAll('tool.called', EVENTS_LIMITED, (i) => ({ sessionId: 's', tool: 'grep', arguments: { i } }));
    const [freeSeconds, limitedSeconds] = await Promise.all([freeDone, limitedDone]);
    console.log(`beside a 50/s subscription: the unlimited one received ${EVENTS_LIMITED} in ${freeSeconds.toFixed(1)} s, the limited one in ${limitedSeconds.toFixed(1)} s (${(freeSeconds / limitedSeconds).toFixed(2)} of its time)`);

    console.log(`outbound deliveries_per_s=${hundred.perSecond.toFixed(0)} p99_ms=${hundred.p99.toFixed(1)} ratio_vs_bare_sender=${ratio.toFixed(2)}`);
  } finally {
    if (gateway) await stopProcess(gateway.child);
    await rx.close();
    await db.cleanup();
  }
}

await main();
