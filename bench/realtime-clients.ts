// The clients of bench/realtime, in a process of their own so their CPU is measured apart from the
// gateways': CLIENTS graphql-ws clients spread over the ORIGINS (comma-separated), each subscribed
// to deliveryUpdated with KEY. Lines on stdin drive it: "reset" starts the measured window,
// "report" prints its figures as one JSON line and exits. It prints "live <n>" as clients see
// their first update, so the parent knows when every subscription is in place.
import { createInterface } from 'node:readline';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const origins = process.env.ORIGINS!.split(',');
const clients = Number(process.env.CLIENTS ?? 200);
const key = process.env.KEY!;
const QUERY = 'subscription { deliveryUpdated { recordedAt delivery { id status } attempt { number } } }';

let latencies: number[] = [];
let dropped = 0;
let live = 0;
let cpu = process.cpuUsage();
let windowStart = performance.now();

for (let i = 0; i < clients; i++) {
  let seen = false;
  const client = createClient({
    url: `${origins[i % origins.length]!.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    on: { closed: () => dropped++ },
  });
  client.subscribe<{ deliveryUpdated: { recordedAt: string } }>({ query: QUERY }, {
    next: (r) => {
      const at = r.data?.deliveryUpdated.recordedAt;
      if (at) latencies.push(Date.now() - Date.parse(at));
      if (!seen) {
        seen = true;
        live++;
        if (live % 50 === 0 || live === clients) console.log(`live ${live}`);
      }
    },
    error: () => dropped++,
    complete: () => {},
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reset') {
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
      received: latencies.length, seconds, p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) ?? NaN, dropped,
      cpuPercent: ((used.user + used.system) / 1000 / (seconds * 1000)) * 100,
    }));
    process.exit(0);
  }
});
