// The clients of bench/realtime, in a process of their own so their CPU is measured apart from the
// gateways': CLIENTS graphql-ws clients spread over the ORIGINS (comma-separated), each subscribed
// to deliveryUpdated with KEY. Lines on stdin drive it: "reset" starts the measured window,
// "report" prints its figures as one JSON line and exits. It prints "live <n>" as clients see
// their first update, and "settled <live>" once every client is live or has ended, so the parent
// knows when every subscription that will be is in place. Clients connect in
// waves of 100.
import { createInterface } from 'node:readline';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const origins = process.env.ORIGINS!.split(',');
const clients = Number(process.env.CLIENTS ?? 200);
const key = process.env.KEY!;
const QUERY = 'subscription { deliveryUpdated { recordedAt delivery { id status } attempt { number } } }';

let latencies: number[] = [];
let dropped = 0;
/** Why subscriptions ended, over the whole run (warm-up included): close codes and error messages, counted. */
const endings: Record<string, number> = {};
const ended = (why: string) => {
  dropped++;
  endings[why] = (endings[why] ?? 0) + 1;
};
let live = 0;
let measuring = false;
/** Clients that ended before their first update. */
let failed = 0;
const settledOne = () => {
  if (live + failed === clients) console.log(`settled ${live}`);
};
let cpu = process.cpuUsage();
let windowStart = performance.now();

/** Opens client `i` and subscribes it; resolves once its connection is acknowledged (or closed). */
function open(i: number): Promise<void> {
  let seen = false;
  let gone = false;
  const end = (why: string) => {
    ended(why);
    if (seen || gone) return;
    gone = true;
    failed++;
    settledOne();
  };
  let settle!: () => void;
  const opened = new Promise<void>((resolve) => (settle = resolve));
  const client = createClient({
    url: `${origins[i % origins.length]!.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    on: {
      connected: () => settle(),
      closed: (e) => {
        settle();
        end(`close ${(e as { code?: number }).code}`);
      },
    },
  });
  client.subscribe<{ deliveryUpdated: { recordedAt: string } }>({ query: QUERY }, {
    next: (r) => {
      const at = r.data?.deliveryUpdated.recordedAt;
      // Only in the window: a long warm-up of thousands of clients would outgrow any array.
      if (at && measuring) latencies.push(Date.now() - Date.parse(at));
      if (!seen) {
        seen = true;
        live++;
        if (live % 50 === 0 || live === clients) console.log(`live ${live}`);
        settledOne();
      }
    },
    error: (e) => end(`error ${Array.isArray(e) ? String(e[0]?.message).slice(0, 60) : (e as { code?: number }).code ?? String(e).slice(0, 60)}`),
    complete: () => {},
  });
  return opened;
}

// In waves, as real dashboards arrive, rather than thousands of handshakes in the same instant.
const WAVE = 100;
for (let first = 0; first < clients; first += WAVE) {
  await Promise.all(Array.from({ length: Math.min(WAVE, clients - first) }, (_, j) => open(first + j)));
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reset') {
    measuring = true;
    latencies = [];
    cpu = process.cpuUsage();
    windowStart = performance.now();
    dropped = 0;
  } else if (line === 'report') {
    const seconds = (performance.now() - windowStart) / 1000;
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
    console.log(JSON.stringify({
      received: latencies.length, seconds, p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) ?? NaN, dropped, endings,
      cpuPercent: ((used.user + used.system) / 1000 / (seconds * 1000)) * 100,
    }));
    process.exit(0);
  }
});
