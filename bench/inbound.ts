// bench/inbound: signed webhooks at concurrency 50 against a running gateway, and in the same run
// the same load against a bare node:http server that only verifies the HMAC, against the same server
// writing four rows a request with group commit (PERFORMANCE.md's reference design), and a loop of
// single-row autocommit `pg` inserts (the baseline of ../shared/PERFORMANCE.md). Prints accepted/s
// and p50/p99 for each, CPU per request of each process (the load generator, raw-http.ts,
// included), the gateway's CPU ceiling on this machine, and the ratios.
//   npm run bench:inbound            (BENCH_SECONDS=20 BENCH_CONCURRENCY=50 by default;
//                                    BENCH_PHASE_WARMUP_SECONDS=8 of load before each measured phase)
//   BENCH_PG_STATS=1 prints the statements that took the database's time; BENCH_CPU_PROFILE=<dir>
//   writes the gateway's CPU profile there.
//   BENCH_RETENTION=1 (or --with-retention): before the gateway run, seeds a backlog of
//   BENCH_RETENTION_ROWS (300,000) requests' worth of 40-day-old rows (session, inbound delivery,
//   event, outbound delivery, attempt), and the retention job's removal (removeExpiredRows, batches
//   of BENCH_RETENTION_BATCH, 1000) works it off throughout the measured window. Run alternately
//   with and without to read the removal's cost on /hooks (docs/benchmarks.md).
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { loadConfig } from '../src/platform/config.ts';
import { removeExpiredRows } from '../src/workspaces/retention-job.ts';
import { RawHttpPool } from './raw-http.ts';
import { PHASE_WARMUP_SECONDS, benchDatabase, benchTrigger, cpuCeiling, cpuMeter, insertBaselines, load, payload, pgStatements, postmasterPid, report, signer, startGateway, startProcess, stopProcess, vacuum } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const RETENTION = process.env.BENCH_RETENTION === '1' || process.argv.includes('--with-retention');
const RETENTION_ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 300_000);
const RETENTION_BATCH = process.env.BENCH_RETENTION_BATCH ?? '1000';

/**
 * With `pids`, CPU per acceptance is printed for the server under test (named `label`) and the
 * database: a rate moves with the shared machine's load, the CPU a request costs much less so.
 */
async function httpLoad(name: string, origin: string, path: string, secret: string,
  opts: { duringMeasure?: () => () => Promise<void>; pids?: { server: number; database: number }; label?: string } = {}) {
  const { duringMeasure, pids, label = 'gateway' } = opts;
  const client = new RawHttpPool(origin, CONCURRENCY);
  const next = signer(secret);
  const once = async () => {
    const { headers, body } = next();
    return (await client.post(path, headers, body)).status === 202;
  };
  // Warm up: connections, JIT, caches.
  await load(`${name} (warm-up)`, PHASE_WARMUP_SECONDS, CONCURRENCY, once);
  const stopBeside = duringMeasure?.();
  const meter = pids && cpuMeter({ gateway: pids.server, database: pids.database });
  const result = await load(name, SECONDS, CONCURRENCY, once);
  const cpu = meter?.(result.ok);
  if (cpu) {
    // With retention beside, the database's figure holds its work, and the generator's its client's.
    console.log(`CPU per acceptance: ${label} ${cpu.gateway.toFixed(0)} µs, database ${cpu.database.toFixed(0)} µs, load generator ${cpu.loadGenerator.toFixed(0)} µs${duringMeasure ? ' (the database\'s and the generator\'s with the retention beside it)' : ''}`);
  }
  await stopBeside?.();
  client.close();
  return { ...result, cpuUs: cpu?.all ?? NaN };
}

/**
 * `rows` requests' worth of 40-day-old rows in the bench workspace, as the gateway would have left
 * them: a finished session, its inbound delivery, its event with one delivery to a (disabled)
 * subscription and one attempt.
 */
async function seedBacklog(url: string, triggerId: string, rows: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const t0 = performance.now();
    const { rows: [w] } = await c.query<{ id: string }>('SELECT workspace_id AS id FROM trigger WHERE id = $1', [triggerId]);
    const old = `now() - interval '40 days'`;
    await c.query(`INSERT INTO webhook_subscription (id, workspace_id, url, events, status) VALUES ('sub_bench_backlog', $1, 'https://example.com/h', '{}', 'DISABLED')`, [w!.id]);
    await c.query(`INSERT INTO session (id, workspace_id, agent, trigger_id, inputs, status, created_at, started_at, finished_at, output)
      SELECT 'ses_backlog_' || g, $1, 'bench', $2, '{"n": 1, "repo": "acme/app"}', 'SUCCEEDED', ${old}, ${old}, ${old}, '{"ok": true}' FROM generate_series(1, $3) g`, [w!.id, triggerId, rows]);
    await c.query(`INSERT INTO inbound_delivery (id, workspace_id, trigger_id, received_at, outcome, status_code, message_id, source_ip, content_type, payload_sha256, payload_bytes, mapped_inputs, session_id)
      SELECT 'ind_backlog_' || g, $1, $2, ${old}, 'ACCEPTED', 202, 'msg_backlog_' || g, '127.0.0.1', 'application/json', md5(g::text) || md5(g::text), 1000, '{"n": 1, "repo": "acme/app"}', 'ses_backlog_' || g
      FROM generate_series(1, $3) g`, [w!.id, triggerId, rows]);
    await c.query(`INSERT INTO event (id, workspace_id, type, body, session_id, created_at)
      SELECT 'evt_backlog_' || g, $1, 'session.created', repeat('x', 300), 'ses_backlog_' || g, ${old} FROM generate_series(1, $2) g`, [w!.id, rows]);
    await c.query(`INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, status, attempt_count, last_attempt_at, created_at)
      SELECT 'dlv_backlog_' || g, $1, 'evt_backlog_' || g, 'sub_bench_backlog', 'SUCCEEDED', 1, ${old}, ${old} FROM generate_series(1, $2) g`, [w!.id, rows]);
    await c.query(`INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome, status_code)
      SELECT 'dlv_backlog_' || g, 1, ${old}, 12, 'SUCCEEDED', 200 FROM generate_series(1, $1) g`, [rows]);
    await c.query('VACUUM (ANALYZE)');
    console.log(`retention backlog: ${rows} requests' worth of 40-day-old rows seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await c.end();
  }
}

/** Starts the retention job's removal, in a loop until stopped; stopping prints what it removed. */
function retentionBeside(url: string): () => () => Promise<void> {
  return () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    // The job's own pacing (RETENTION_DUTY_PERCENT, 25 unless set) applies, as in production.
    const config = loadConfig({ RETENTION_BATCH_SIZE: RETENTION_BATCH, RETENTION_DUTY_PERCENT: process.env.RETENTION_DUTY_PERCENT ?? '' }, []);
    let stopped = false;
    let removed = 0;
    let finishedAfter: number | undefined;
    const t0 = performance.now();
    const running = (async () => {
      while (!stopped) {
        const r = await removeExpiredRows({ pool, ownerPool: pool, config }, { maxMs: 500 });
        removed += r.outboundDeliveries + r.attempts + r.events + r.inboundDeliveries + r.sessions;
        if (r.finished) {
          finishedAfter = (performance.now() - t0) / 1000;
          return;
        }
      }
    })();
    return async () => {
      stopped = true;
      await running;
      await pool.end();
      const s = (performance.now() - t0) / 1000;
      console.log(`retention beside the measured window: ${removed} rows removed in ${s.toFixed(1)} s`
        + (finishedAfter !== undefined ? `; the backlog ran out after ${finishedAfter.toFixed(1)} s (raise BENCH_RETENTION_ROWS)` : ', backlog left at the end'));
    };
  };
}

/** The reference phase, on a vacuumed database (the gateway's rows would get autovacuumed in its window). */
async function referenceLoad(url: string, secret: string, database: number, children: ChildProcess[]) {
  await vacuum(url);
  const reference = await startProcess(['bench/bare-http-server.ts'], { SECRET: secret, REFERENCE_DATABASE_URL: url }, /listening (\d+)/);
  children.push(reference.child);
  const result = await httpLoad('reference (PERFORMANCE.md)', `http://127.0.0.1:${reference.match[1]}`, '/', secret,
    { pids: { server: reference.child.pid!, database }, label: 'reference server' });
  report(result);
  await stopProcess(reference.child);
  return result;
}

async function main() {
  const db = await benchDatabase();
  const children: ChildProcess[] = [];
  try {
    const url = db.url();
    console.log(`inbound benchmark: ${SECONDS} s per run, concurrency ${CONCURRENCY}, 1 KB JSON bodies, Standard Webhooks signatures${RETENTION ? `, retention removing a backlog of ${RETENTION_ROWS} requests' rows during the gateway run` : ''}`);

    // 1. The gateway (API role: acceptance only; workers would compete for the same 2 cores).
    const gateway = await startGateway(db, ['--role', 'api']);
    children.push(gateway.child);
    const { origin } = gateway;
    const trigger = await benchTrigger(origin, gateway.adminKey);
    const { secret } = trigger;
    if (RETENTION) await seedBacklog(url, trigger.id, RETENTION_ROWS);
    const gw = await httpLoad(RETENTION ? 'gateway /hooks + retention' : 'gateway /hooks', origin, `/hooks/${trigger.id}`, secret,
      { duringMeasure: RETENTION ? retentionBeside(url) : undefined, pids: { server: gateway.child.pid!, database: postmasterPid(db) } });
    report(gw);
    await pgStatements(url);
    await stopProcess(gateway.child);

    // 2. A bare node:http server that only verifies the HMAC.
    const bare = await startProcess(['bench/bare-http-server.ts'], { SECRET: secret }, /listening (\d+)/);
    children.push(bare.child);
    const bareResult = await httpLoad('bare node:http + HMAC', `http://127.0.0.1:${bare.match[1]}`, '/', secret);
    report(bareResult);
    await stopProcess(bare.child);

    // 3. The experiment ../shared/PERFORMANCE.md measured at 0.70 of the autocommit baseline: the
    // same server writing four rows a request with group commit (bench/bare-http-server.ts), so a
    // run shows how far this machine lets that leaner commit go beside how far the gateway goes.
    // Not beside the retention backlog, whose work would be counted as the reference's.
    const referenceResult = RETENTION ? undefined : await referenceLoad(url, secret, postmasterPid(db), children);

    // 4. The database's pace for one durable commit per request (../shared/PERFORMANCE.md).
    const { autocommit: pgResult, threeRoundTrips: txResult, autocommitCpuUs } = await insertBaselines(url, SECONDS, CONCURRENCY, payload(0), postmasterPid(db));

    const ratioPg = gw.perSecond / pgResult.perSecond;
    const ratioBare = gw.perSecond / bareResult.perSecond;
    if (!RETENTION) console.log(cpuCeiling(gw.cpuUs, { perSecond: pgResult.perSecond, cpuUs: autocommitCpuUs }));
    console.log(`ratios: gateway/autocommit ${ratioPg.toFixed(2)}, gateway/begin-insert-commit ${(gw.perSecond / txResult.perSecond).toFixed(2)}, gateway/bare-http ${ratioBare.toFixed(2)}`
      + (referenceResult ? `, reference/autocommit ${(referenceResult.perSecond / pgResult.perSecond).toFixed(2)} (CPU a request: gateway ${gw.cpuUs.toFixed(0)} µs, reference ${referenceResult.cpuUs.toFixed(0)} µs, all processes)` : ''));
    console.log(`inbound accepted_per_s=${gw.perSecond.toFixed(0)} p99_ms=${gw.p99.toFixed(1)} ratio_vs_pg_insert=${ratioPg.toFixed(2)} ratio_vs_bare_http=${ratioBare.toFixed(2)}`);
  } finally {
    for (const c of children) await stopProcess(c);
    await db.cleanup();
  }
}

await main();
