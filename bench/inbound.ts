// bench/inbound: signed webhooks at concurrency 50 against a running gateway, and in the same run
// the same load against a bare node:http server that only verifies the HMAC, and a loop of
// single-row autocommit `pg` inserts (the baseline of ../shared/PERFORMANCE.md). Prints accepted/s
// and p50/p99 for each, and the ratios.
//   npm run bench:inbound            (BENCH_SECONDS=20 BENCH_CONCURRENCY=50 by default)
//   BENCH_PG_STATS=1 prints the statements that took the database's time; BENCH_CPU_PROFILE=<dir>
//   writes the gateway's CPU profile there.
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { benchDatabase, insertBaselines, load, pgStatements, report, startGateway, startProcess, stopProcess } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);

// A 1 KB JSON body, as in ../shared/PERFORMANCE.md.
const payload = (n: number) => JSON.stringify({ action: 'opened', number: n, repository: { full_name: 'acme/app' }, pad: 'x'.repeat(900) });

function signer(secret: string) {
  // A KeyObject: the load generator shares the cores, and raw key bytes cost ~5x the HMAC itself.
  const key = createSecretKey(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'));
  let n = 0;
  const prefix = randomBytes(6).toString('hex');
  return () => {
    n++;
    const body = payload(n);
    const id = `msg_${prefix}_${n}`;
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } };
  };
}

async function httpLoad(name: string, origin: string, path: string, secret: string) {
  const client = new HttpPool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const next = signer(secret);
  // Warm up: connections, JIT, caches.
  await load(`${name} (warm-up)`, 2, CONCURRENCY, async () => {
    const r = await client.request({ method: 'POST', path, ...next() });
    await r.body.dump();
    return r.statusCode === 202;
  });
  const result = await load(name, SECONDS, CONCURRENCY, async () => {
    const r = await client.request({ method: 'POST', path, ...next() });
    await r.body.dump();
    return r.statusCode === 202;
  });
  await client.close();
  return result;
}

async function main() {
  const db = await benchDatabase();
  const children: Array<import('node:child_process').ChildProcess> = [];
  try {
    const url = db.url();
    console.log(`inbound benchmark: ${SECONDS} s per run, concurrency ${CONCURRENCY}, 1 KB JSON bodies, Standard Webhooks signatures`);

    // 1. The gateway (API role: acceptance only; workers would compete for the same 2 cores).
    const gateway = await startGateway(db, ['--role', 'api']);
    children.push(gateway.child);
    const { origin } = gateway;
    const created = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createTrigger(input: {name: "bench", agent: "bench", inputs: [{name: "n", path: "$.number", type: NUMBER}, {name: "repo", path: "$.repository.full_name"}]}) { trigger { id } secret } }' }),
    }).then((r) => r.json()) as { data: { createTrigger: { trigger: { id: string }; secret: string } } };
    const { trigger, secret } = created.data.createTrigger;
    const gw = await httpLoad('gateway /hooks', origin, `/hooks/${trigger.id}`, secret);
    report(gw);
    await pgStatements(url);
    await stopProcess(gateway.child);
    // The gateway's ~100,000 rows per table would get autovacuumed about a minute after the start,
    // in the middle of the baseline below: vacuum them now so the baseline runs on a quiet server.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('VACUUM (ANALYZE)');
    await admin.end();

    // 2. A bare node:http server that only verifies the HMAC.
    const bare = await startProcess(['bench/bare-http-server.ts'], { SECRET: secret }, /listening (\d+)/);
    children.push(bare.child);
    const bareResult = await httpLoad('bare node:http + HMAC', `http://127.0.0.1:${bare.match[1]}`, '/', secret);
    report(bareResult);
    await stopProcess(bare.child);

    // 3. The database's pace for one durable commit per request (../shared/PERFORMANCE.md).
    const { autocommit: pgResult, threeRoundTrips: txResult } = await insertBaselines(url, SECONDS, CONCURRENCY, payload(0));

    const ratioPg = gw.perSecond / pgResult.perSecond;
    const ratioBare = gw.perSecond / bareResult.perSecond;
    console.log(`ratios: gateway/autocommit ${ratioPg.toFixed(2)}, gateway/begin-insert-commit ${(gw.perSecond / txResult.perSecond).toFixed(2)}, gateway/bare-http ${ratioBare.toFixed(2)}`);
    console.log(`inbound accepted_per_s=${gw.perSecond.toFixed(0)} p99_ms=${gw.p99.toFixed(1)} ratio_vs_pg_insert=${ratioPg.toFixed(2)} ratio_vs_bare_http=${ratioBare.toFixed(2)}`);
  } finally {
    for (const c of children) await stopProcess(c);
    await db.cleanup();
  }
}

await main();
