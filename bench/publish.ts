// bench/publish: POST /v1/events against a running gateway (`--role api`) with one ACTIVE
// subscription that takes every event (its deliveries are written and their jobs queued; no worker
// sends them), first single events at concurrency 50, then batches of 100, and in the same run the
// autocommit baseline of ../shared/PERFORMANCE.md. The ratio is single events against it. The load
// comes from raw-http.ts; CPU per event of each process and the CPU ceiling are printed beside.
//   npm run bench:publish       (BENCH_SECONDS=20 BENCH_CONCURRENCY=50 BENCH_BATCH_CONCURRENCY=10;
//                               BENCH_PHASE_WARMUP_SECONDS=8 of load before each measured phase)
//   BENCH_PG_STATS=1 prints the statements that took the database's time; BENCH_CPU_PROFILE=<dir>
//   writes the gateway's CPU profile there and prints each phase's bounds on its clock.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawHttpPool } from './raw-http.ts';
import { PHASE_WARMUP_SECONDS, benchDatabase, cpuCeiling, cpuMeter, insertBaselines, load, pgStatements, postmasterPid, report, startGateway, stopProcess } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const BATCH = 100;
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 10);

// About 1 KB of data, as the inbound benchmark's bodies, in an agent's most frequent event.
const event = (n: number) => ({ type: 'tool.called', data: { sessionId: 'ses_bench', tool: 'search', callId: `c${n}`, arguments: { query: 'q'.repeat(900), n } } });

async function graphql(origin: string, key: string, query: string): Promise<Record<string, any>> {
  const r = await fetch(`${origin}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await r.json()) as { data?: Record<string, any>; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function publishLoad(origin: string, key: string, pids: { gateway: number; database: number }) {
  const client = new RawHttpPool(origin, CONCURRENCY);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  let n = 0;
  const single = async () => {
    const r = await client.post('/v1/events', headers, JSON.stringify(event(n++)));
    return r.status === 202;
  };
  const batch = async () => {
    const r = await client.post('/v1/events', headers, JSON.stringify(Array.from({ length: BATCH }, () => event(n++))));
    const { results } = JSON.parse(r.body.toString('utf8')) as { results: Array<{ id?: string }> };
    return r.status === 200 && results.every((x) => x.id);
  };
  const measured = async (name: string, concurrency: number, once: () => Promise<boolean>, events: number) => {
    await load(`${name} (warm-up)`, PHASE_WARMUP_SECONDS, concurrency, once);
    const meter = cpuMeter(pids);
    // The phase's bounds on the monotonic clock V8's CPU profiles use, to read the gateway's profile for it alone.
    const phaseStart = process.hrtime.bigint() / 1000n;
    const result = await load(name, SECONDS, concurrency, once);
    if (process.env.BENCH_CPU_PROFILE) console.log(`${name} on the profile clock: ${phaseStart} ${process.hrtime.bigint() / 1000n} µs`);
    const cpu = meter(result.ok * events);
    report(result);
    console.log(`CPU per event (${name}): gateway ${cpu.gateway.toFixed(0)} µs, database ${cpu.database.toFixed(0)} µs, load generator ${cpu.loadGenerator.toFixed(0)} µs`);
    return { ...result, cpuUs: cpu.all };
  };
  const singles = await measured('gateway POST /v1/events', CONCURRENCY, single, 1);
  const batches = await measured(`gateway batches of ${BATCH}`, BATCH_CONCURRENCY, batch, BATCH);
  client.close();
  return { singles, batches };
}

async function main() {
  const db = await benchDatabase();
  // The subscriber: it answers the creation ping; no worker runs, so nothing else reaches it.
  const receiver = http.createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    const url = db.url();
    console.log(`publish benchmark: ${SECONDS} s per run, concurrency ${CONCURRENCY} (batches of ${BATCH}: ${BATCH_CONCURRENCY}), ~1 KB tool.called events, one subscription`);
    gateway = await startGateway(db, ['--role', 'api'], { ALLOW_INSECURE_TARGETS: 'true', ALLOW_PRIVATE_TARGETS: 'true' });
    const { origin, adminKey } = gateway;
    const port = (receiver.address() as AddressInfo).port;
    const sub = await graphql(origin, adminKey, `mutation { createWebhookSubscription(input: {url: "http://127.0.0.1:${port}/hook", events: ["*"]}) { subscription { status } } }`);
    if (sub.createWebhookSubscription.subscription.status !== 'ACTIVE') throw new Error('the subscription is not ACTIVE');
    const publisher = (await graphql(origin, adminKey, 'mutation { createApiKey(input: {name: "bench", role: PUBLISHER}) { key } }')).createApiKey.key as string;

    const { singles, batches } = await publishLoad(origin, publisher, { gateway: gateway.child.pid!, database: postmasterPid(db) });
    await pgStatements(url);
    await stopProcess(gateway.child);

    const { autocommit, autocommitCpuUs } = await insertBaselines(url, SECONDS, CONCURRENCY, JSON.stringify(event(0)), postmasterPid(db));
    console.log(cpuCeiling(singles.cpuUs, { perSecond: autocommit.perSecond, cpuUs: autocommitCpuUs }));
    const ratio = singles.perSecond / autocommit.perSecond;
    const batchEvents = batches.perSecond * BATCH;
    console.log(`ratios: single/autocommit ${ratio.toFixed(2)}, batch events/single ${(batchEvents / singles.perSecond).toFixed(2)}`);
    console.log(`publish accepted_per_s=${singles.perSecond.toFixed(0)} p99_ms=${singles.p99.toFixed(1)} ratio_vs_pg_insert=${ratio.toFixed(2)} batch_events_per_s=${batchEvents.toFixed(0)}`);
  } finally {
    if (gateway) await stopProcess(gateway.child);
    receiver.close();
    await db.cleanup();
  }
}

await main();
