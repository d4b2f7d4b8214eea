// bench/realtime: how late live updates reach their watchers. Two API processes and one worker on
// one database; CLIENTS graphql-ws clients (a separate process, whose CPU is reported) subscribed
// to deliveryUpdated, half on each API process; a steady RATE deliveries/s to a local receiver that
// answers 200. Latency is from the update's recordedAt (written just before the attempt's commit)
// to each client's receipt, on one machine's clock.
//   npm run bench:realtime     (BENCH_SECONDS=20 BENCH_CLIENTS=200 BENCH_RATE=200 BENCH_WARMUP_SECONDS=120)
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { ROOT, benchDatabase, cpuMs, startGateway, startMoreGateway, stopProcess } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 120);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const TICK_MS = 50;

async function graphql(origin: string, key: string, query: string): Promise<Record<string, any>> {
  const r = await fetch(`${origin}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await r.json()) as { data?: Record<string, any>; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Publishes RATE events/s (one delivery each), a batch every TICK_MS, alternating API processes, until stopped. */
function steadyPublisher(origins: string[], key: string) {
  let stopped = false;
  let published = 0;
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const start = performance.now();
  const done = (async () => {
    for (let tick = 0; !stopped; tick++) {
      const body = JSON.stringify(Array.from({ length: perTick }, (_, i) => ({ type: 'tool.called', data: { sessionId: 'ses_rt', tool: 'probe', arguments: { i } } })));
      void fetch(`${origins[tick % origins.length]}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body })
        .then((r) => r.body?.cancel()).then(() => (published += perTick), () => {});
      const next = start + (tick + 1) * TICK_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  })();
  return { stop: async () => { stopped = true; await done; return published; } };
}

function startClients(origins: string[], key: string): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['bench/realtime-clients.ts'], {
    cwd: ROOT, env: { ...process.env, ORIGINS: origins.join(','), CLIENTS: String(CLIENTS), KEY: key }, stdio: ['pipe', 'pipe', 'inherit'],
  });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function main() {
  const db = await benchDatabase();
  const receiver = http.createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const children: ChildProcess[] = [];
  const env = { ALLOW_INSECURE_TARGETS: 'true', ALLOW_PRIVATE_TARGETS: 'true'};
  try {
    console.log(`realtime benchmark: ${CLIENTS} clients on 2 API processes, 1 worker, ${RATE} deliveries/s for ${SECONDS} s`);
    const a = await startGateway(db, ['--role', 'api'], env);
    children.push(a.child);
    const b = await startMoreGateway(db, ['--role', 'api'], a.masterKey, env);
    children.push(b.child);
    const worker = await startMoreGateway(db, ['--role', 'worker'], a.masterKey, env);
    children.push(worker.child);
    const origins = [a.origin, b.origin!];
    const port = (receiver.address() as AddressInfo).port;
    await graphql(a.origin, a.adminKey, `mutation { createWebhookSubscription(input: {url: "http://127.0.0.1:${port}/hook", events: ["tool.*"]}) { subscription { status } } }`);
    const viewer = (await graphql(a.origin, a.adminKey, 'mutation { createApiKey(input: {name: "watchers", role: VIEWER}) { key } }')).createApiKey.key as string;
    const publisher = (await graphql(a.origin, a.adminKey, 'mutation { createApiKey(input: {name: "load", role: PUBLISHER}) { key } }')).createApiKey.key as string;

    const clients = startClients(origins, viewer);
    children.push(clients.child);
    // The next line of the clients' process, read once: whoever stops waiting for it hands it on.
    let pending = clients.lines.next();
    // Warm-up: traffic until every client has seen an update (its subscription is in place), or
    // ended trying (counted in the report's endings); bounded, since on a saturated machine some
    // may do neither: past WARMUP_SECONDS the window opens with the clients that are live.
    const warm = steadyPublisher(origins, publisher);
    const until = Date.now() + WARMUP_SECONDS * 1000;
    let live = 0;
    for (;;) {
      const line = await Promise.race([pending, new Promise<'bound'>((r) => setTimeout(() => r('bound'), Math.max(0, until - Date.now())).unref())]);
      if (line === 'bound') {
        console.log(`warm-up bound (${WARMUP_SECONDS} s) reached with ${live} of ${CLIENTS} clients live: measuring with them`);
        break;
      }
      if (line.done) break;
      pending = clients.lines.next();
      if (line.value.startsWith('live ')) live = Number(line.value.slice(5));
      if (line.value.startsWith('settled ')) break;
    }
    await warm.stop();
    // The warm-up's last updates arrive before the measured window opens.
    await new Promise((r) => setTimeout(r, 3000));
    clients.child.stdin!.write('reset\n');
    const apiCpu = () => (cpuMs(a.child.pid!) ?? NaN) + (cpuMs(b.child.pid!) ?? NaN);
    const cpuBefore = apiCpu();
    const load = steadyPublisher(origins, publisher);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const published = await load.stop();
    // Let the last updates arrive before the window closes.
    await new Promise((r) => setTimeout(r, 2000));
    const apiCpuMs = apiCpu() - cpuBefore;
    clients.child.stdin!.write('report\n');
    let report: { received: number; seconds: number; p50: number; p99: number; max: number; dropped: number; endings: Record<string, number>; cpuPercent: number } | undefined;
    for (let line = await pending; !line.done; line = await clients.lines.next()) {
      if (line.value.startsWith('{')) report = JSON.parse(line.value);
    }
    if (!report) throw new Error('the clients process did not report');
    // No update in the window leaves the percentiles NaN, which JSON carries as null.
    for (const k of ['p50', 'p99', 'max'] as const) report[k] ??= NaN;
    const updatesPerSecond = report.received / CLIENTS / SECONDS;
    console.log(`published ${published} events in ${SECONDS} s; clients received ${report.received} updates (${(report.received / report.seconds).toFixed(0)}/s in all), max ${report.max.toFixed(0)} ms, dropped ${report.dropped}, clients' CPU ${report.cpuPercent.toFixed(0)} % of a core`);
    if (Object.keys(report.endings).length > 0) console.log(`subscriptions ended (whole run): ${JSON.stringify(report.endings)}`);
    // CPU per update handed to a socket moves much less with the neighbours' load than latency does.
    console.log(`API processes' CPU ${apiCpuMs.toFixed(0)} ms (${((apiCpuMs / (SECONDS + 2) / 1000) * 100).toFixed(0)} % of a core), ${((apiCpuMs * 1000) / Math.max(1, report.received)).toFixed(1)} µs per update received, ${(apiCpuMs / Math.max(1, published)).toFixed(2)} ms per event published`);
    console.log(`realtime clients=${CLIENTS} updates_per_s=${updatesPerSecond.toFixed(0)} p50_ms=${report.p50.toFixed(1)} p99_ms=${report.p99.toFixed(1)} dropped=${report.dropped}`);
  } finally {
    for (const c of children.reverse()) await stopProcess(c);
    receiver.close();
    await db.cleanup();
  }
}

await main();
