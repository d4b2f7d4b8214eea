// bench/storage: bytes on disk per accepted inbound webhook and per outbound delivery with its
// attempts (SPEC §14), each on its own fresh database, through the real paths:
//   inbound:  N signed POST /hooks requests (1 KB JSON bodies) to a gateway with --role api, all
//             accepted; the agent-run jobs stay queued (no worker), so sessions are as accepted.
//   outbound: N events published with POST /v1/events to one subscription, delivered by the
//             gateway's workers (--role all) to a local receiver answering 200; one attempt each.
// Per table: pg_total_relation_size (heap + TOAST + indexes) after minus before. WAL apart: the
// distance between pg_current_wal_lsn() right after a forced CHECKPOINT before the load and right
// after one after it, so every page's first change after the checkpoint writes its full-page image
// in both phases alike. Bytes, not time: the figures do not depend on the machine's load.
//   npm run bench:storage        (BENCH_STORAGE_N=100000 by default)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { benchDatabase, benchTrigger, signer, startGateway, stopProcess } from './support.ts';

const N = Number(process.env.BENCH_STORAGE_N ?? 100_000);
const IN_FLIGHT = 50;

interface Sizes { tables: Map<string, number>; wal: string }

/** Every table's total size, by schema-qualified name (pg-boss's own schema included). */
async function sizes(c: pg.Client): Promise<Map<string, number>> {
  const { rows } = await c.query<{ name: string; bytes: string }>(`
    SELECT n.nspname || '.' || c.relname AS name, pg_total_relation_size(c.oid) AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`);
  return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
}

async function checkpointed(c: pg.Client): Promise<Sizes> {
  await c.query('CHECKPOINT');
  const { rows } = await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return { tables: await sizes(c), wal: rows[0]!.lsn };
}

async function report(c: pg.Client, what: string, before: Sizes, after: Sizes, n: number, counts: string): Promise<void> {
  const { rows } = await c.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes', [after.wal, before.wal]);
  const wal = Number(rows[0]!.bytes);
  const grown = [...after.tables].map(([name, bytes]) => ({ name, bytes: bytes - (before.tables.get(name) ?? 0) }))
    .filter((t) => t.bytes !== 0).sort((a, b) => b.bytes - a.bytes);
  const total = grown.reduce((sum, t) => sum + t.bytes, 0);
  const ours = grown.filter((t) => t.name.startsWith('public.')).reduce((sum, t) => sum + t.bytes, 0);
  console.log(`\n${what}: ${n} (${counts})`);
  console.log(`${'table (heap + TOAST + indexes)'.padEnd(44)} ${'bytes'.padStart(13)} ${'per item'.padStart(9)}`);
  for (const t of grown) console.log(`${t.name.padEnd(44)} ${String(t.bytes).padStart(13)} ${(t.bytes / n).toFixed(0).padStart(9)}`);
  console.log(`${'gateway tables (public)'.padEnd(44)} ${String(ours).padStart(13)} ${(ours / n).toFixed(0).padStart(9)}`);
  console.log(`${'all tables (with pg-boss)'.padEnd(44)} ${String(total).padStart(13)} ${(total / n).toFixed(0).padStart(9)}`);
  console.log(`${'WAL (between forced checkpoints)'.padEnd(44)} ${String(wal).padStart(13)} ${(wal / n).toFixed(0).padStart(9)}`);
  console.log(`storage ${what.split(' ')[0]} n=${n} table_bytes_per_item=${(ours / n).toFixed(0)} with_pgboss=${(total / n).toFixed(0)} wal_bytes_per_item=${(wal / n).toFixed(0)}`);
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** Runs `once` N times with IN_FLIGHT at a time. */
async function times(n: number, once: () => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < n) {
      next++;
      await once();
    }
  }));
}

async function inbound(): Promise<void> {
  const db = await benchDatabase();
  const gateway = await startGateway(db, ['--role', 'api']);
  const c = await connect(db.url());
  try {
    const trigger = await benchTrigger(gateway.origin, gateway.adminKey);
    const client = new HttpPool(gateway.origin, { connections: IN_FLIGHT });
    const next = signer(trigger.secret);
    const before = await checkpointed(c);
    await times(N, async () => {
      const r = await client.request({ method: 'POST', path: `/hooks/${trigger.id}`, ...next() });
      await r.body.dump();
      if (r.statusCode !== 202) throw new Error(`/hooks answered ${r.statusCode}`);
    });
    await client.close();
    const after = await checkpointed(c);
    const { rows } = await c.query(`SELECT (SELECT count(*) FROM inbound_delivery WHERE outcome = 'ACCEPTED') AS accepted,
      (SELECT count(*) FROM session) AS sessions, (SELECT count(*) FROM event) AS events, (SELECT count(*) FROM webhook_audit) AS audit`);
    const r = rows[0];
    await report(c, 'inbound accepted webhooks', before, after, N, `${r.accepted} accepted, ${r.sessions} sessions, ${r.events} events, ${r.audit} audit rows`);
  } finally {
    await c.end();
    await stopProcess(gateway.child);
    await db.cleanup();
  }
}

async function receiver() {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => count, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function gql(origin: string, key: string, query: string, variables?: unknown) {
  const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data: any; errors?: unknown };
}

async function outbound(): Promise<void> {
  const db = await benchDatabase();
  const rx = await receiver();
  const gateway = await startGateway(db, [], { ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
  const c = await connect(db.url());
  try {
    const { origin, adminKey } = gateway;
    const publisher = (await gql(origin, adminKey, 'mutation { createApiKey(input: {name: "bench", role: PUBLISHER}) { key } }')).data.createApiKey.key as string;
    const sub = await gql(origin, adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }', { i: { url: `${rx.url}/s`, events: ['import.completed'] } });
    if (sub.data?.createWebhookSubscription.subscription.status !== 'ACTIVE') throw new Error(`subscription not active: ${JSON.stringify(sub)}`);
    const client = new HttpPool(origin, { connections: IN_FLIGHT });
    const before = await checkpointed(c);
    let i = 0;
    await times(N, async () => {
      const data = { importId: `i${i++}`, source: 'bench', itemsImported: i, itemsFailed: 0 };
      const r = await client.request({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'import.completed', data }) });
      await r.body.dump();
      if (r.statusCode !== 202) throw new Error(`publish answered ${r.statusCode}`);
    });
    await client.close();
    // Done when every delivery has its attempt recorded, not merely received.
    for (;;) {
      const { rows } = await c.query(`SELECT count(*) FILTER (WHERE status <> 'PENDING')::int AS done FROM outbound_delivery`);
      if (rows[0].done >= N) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const after = await checkpointed(c);
    const { rows } = await c.query(`SELECT (SELECT count(*) FROM outbound_delivery WHERE status = 'SUCCEEDED') AS delivered,
      (SELECT count(*) FROM delivery_attempt) AS attempts, (SELECT count(*) FROM event) AS events, (SELECT count(*) FROM webhook_audit) AS audit`);
    const r = rows[0];
    await report(c, 'outbound deliveries', before, after, N, `${r.delivered} delivered, ${r.attempts} attempts, ${r.events} events, ${r.audit} audit rows, ${rx.count()} received`);
  } finally {
    await c.end();
    await stopProcess(gateway.child);
    await rx.close();
    await db.cleanup();
  }
}

console.log(`storage benchmark: ${N} accepted inbound webhooks, then ${N} outbound deliveries, each on a fresh database`);
await inbound();
await outbound();
