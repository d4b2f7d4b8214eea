// Shared by the benchmarks: an embedded PostgreSQL under the OS temp folder, a fixed-duration load
// loop with latency percentiles, and child processes for the servers under test.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/platform/db/embedded.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Load before each measured phase (BENCH_PHASE_WARMUP_SECONDS, 8 by default), the same for the
 * gateway's phases and its baselines. A gateway under load was still compiling its hot code seconds
 * in: V8 made 196 compilations of 173 functions in seconds 4-10 of single publishes and 42 in
 * seconds 20-26, and the first 5 s ran at 2,259 events/s and 393 µs of gateway CPU an event against
 * 2,600-3,100/s and 234-265 µs in the eleven 5 s windows after (docs/benchmarks.md, fifteenth
 * session). The 2 s warm-up before it (none for publish batches) left that transient in a window
 * meant to measure a service that runs for days.
 */
export const PHASE_WARMUP_SECONDS = Number(process.env.BENCH_PHASE_WARMUP_SECONDS ?? 8);

/**
 * Server flags for experiments: BENCH_PG_STATS=1 collects pg_stat_statements (printed by
 * pgStatements() after a run), DBG_EXPLAIN=<ms> logs plans slower than that, BENCH_PG_FLAGS adds
 * settings ("name=value name=value") to compare within one machine's noise.
 */
function serverFlags(): string[] {
  const settings = (process.env.BENCH_PG_FLAGS ?? '').split(' ').filter(Boolean);
  if (process.env.DBG_EXPLAIN) settings.push('shared_preload_libraries=auto_explain', `auto_explain.log_min_duration=${process.env.DBG_EXPLAIN}`, 'auto_explain.log_analyze=on');
  else if (process.env.BENCH_PG_STATS) settings.push('shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track_planning=on');
  return settings.flatMap((s) => ['-c', s]);
}

/** The database, and a DATA_DIR for the gateway beside it: `cleanup()` removes both. */
export async function benchDatabase(): Promise<EmbeddedDatabase & { dataDir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-bench-'));
  chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 20000 + Math.floor(Math.random() * 20000), ephemeral: true, maxConnections: 300,
    extraFlags: serverFlags(),
    ...(process.env.DBG_EXPLAIN ? { onLog: (l: string) => { if (!/ready to accept|starting|listening|shut down|checkpoint/.test(l)) process.stderr.write(l + '\n'); } } : {}) });
  return { ...db, dataDir: path.join(dir, 'gateway-data'), cleanup: async () => { await db.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export interface LoadResult {
  name: string;
  ok: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `once` with `concurrency` loops for `seconds`; counts only successes in the rate. */
export async function load(name: string, seconds: number, concurrency: number, once: () => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        if (await once()) {
          ok++;
          latencies.push(performance.now() - t0);
        } else errors++;
      } catch {
        errors++;
      }
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return { name, ok, errors, perSecond: ok / elapsed, p50: pct(0.5), p99: pct(0.99) };
}

export function report(r: LoadResult): void {
  console.log(`${r.name.padEnd(28)} ${r.perSecond.toFixed(0).padStart(7)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  (${r.ok} ok, ${r.errors} errors)`);
}

/** Starts a child process and resolves once a line of its stdout matches. */
export function startProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The gateway under test on a free port, with a fresh MASTER_KEY and the bench database's
 * DATA_DIR, answering /healthz. BENCH_CPU_PROFILE writes its CPU profile; BENCH_GATEWAY_NODE_FLAGS
 * passes node/V8 flags (GC settings are not allowed in NODE_OPTIONS).
 */
export async function startGateway(db: { url(): string; dataDir: string }, args: string[], env: Record<string, string> = {}):
  Promise<{ child: ChildProcess; origin: string; adminKey: string; masterKey: string }> {
  const masterKey = randomBytes(32).toString('base64');
  const { child, origin, match } = await spawnGateway(db, args, { MASTER_KEY: masterKey, ...env }, /ADMIN API key:\s+(whk_[\w-]+)/);
  return { child, origin: origin!, adminKey: match[1]!, masterKey };
}

/**
 * One more gateway process on a database a first one (startGateway) set up, with that one's
 * MASTER_KEY: an API process answering /healthz, or a worker (no HTTP), once it says it started.
 */
export async function startMoreGateway(db: { url(): string; dataDir: string }, args: string[], masterKey: string, env: Record<string, string> = {}):
  Promise<{ child: ChildProcess; origin: string | undefined }> {
  const { child, origin } = await spawnGateway(db, args, { MASTER_KEY: masterKey, LOG_LEVEL: 'info', ...env }, /"msg":"webhook gateway started"/);
  return { child, origin };
}

async function spawnGateway(db: { url(): string; dataDir: string }, args: string[], env: Record<string, string>, ready: RegExp) {
  const port = await freePort();
  const flags = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const { child, match } = await startProcess([...flags, 'bin/webhook-gateway.mjs', ...args], {
    DATABASE_URL: db.url(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: db.dataDir, ...profiled(), ...env,
  }, ready);
  // Past the ready line, its output is not kept (a long run's info logs would pile up here).
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  if (args.includes('worker')) return { child, origin: undefined, match };
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await fetch(`${origin}/healthz`).catch(() => undefined))?.ok; i++) await new Promise((r) => setTimeout(r, 50));
  return { child, origin, match };
}

/** A port that was free a moment ago (the OS picks it), for a child server to listen on. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** With BENCH_PG_STATS=1: the statements that took the database's time, most first. */
export async function pgStatements(url: string): Promise<void> {
  if (!process.env.BENCH_PG_STATS) return;
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await c.query(`SELECT calls, round(total_exec_time::numeric) AS exec_ms, round(total_plan_time::numeric) AS plan_ms,
        round((total_exec_time / greatest(calls, 1))::numeric, 3) AS ms_per_call, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
      FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 16`);
    console.table(rows);
    // WAL volume, and how many segments backends had to create on the way (each one is a stall
    // while it is created: see wal_init_zero in src/platform/db/embedded.ts).
    console.table((await c.query(`SELECT w.wal_records, w.wal_fpi, pg_size_pretty(w.wal_bytes) AS wal_bytes,
        (SELECT sum(writes) FROM pg_stat_io WHERE object = 'wal' AND context = 'init') AS segments_created
      FROM pg_stat_wal w`)).rows);
    await c.query('SELECT pg_stat_statements_reset()');
  } finally {
    await c.end();
  }
}

/** With BENCH_CPU_PROFILE=<dir>: a child's environment that writes a V8 CPU profile there on exit. */
const profiled = (): Record<string, string> =>
  process.env.BENCH_CPU_PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}` } : {};

/** VACUUM (ANALYZE) of the whole database, so that autovacuum does not land in the next measured window. */
export async function vacuum(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('VACUUM (ANALYZE)').finally(() => admin.end());
}

/**
 * The database's pace for one durable commit per request (../shared/PERFORMANCE.md): single
 * autocommit INSERTs of `body`, one round trip and one commit each, from a pool of 10. Ratios are
 * taken against it. The BEGIN/INSERT/COMMIT form (three round trips) is slower and would flatter
 * the gateway by ~1.6x; it is measured beside it for comparison with older runs only. The
 * autocommit run's CPU per insert (this process's `pg` client and `database`, the postmaster's pid,
 * with its backends) is measured and printed too.
 */
export async function insertBaselines(url: string, seconds: number, concurrency: number, body: string, database: number): Promise<{ autocommit: LoadResult; threeRoundTrips: LoadResult; autocommitCpuUs: number }> {
  const { default: pg } = await import('pg');
  // The gateway's rows (hundreds of thousands per table after its warm-ups and runs) would get
  // autovacuumed in the middle of the baseline: vacuumed now, the baseline runs on a quiet server.
  await vacuum(url);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // the database stops at the end of the run
  await pool.query('CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  const autocommit = async () => {
    await pool.query({ name: 'bench-insert', text: 'INSERT INTO bench_insert (body) VALUES ($1)', values: [body] });
    return true;
  };
  const threeRoundTrips = async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query({ name: 'bench-insert', text: 'INSERT INTO bench_insert (body) VALUES ($1)', values: [body] });
      await c.query('COMMIT');
      return true;
    } finally {
      c.release();
    }
  };
  try {
    await load('pg insert (warm-up)', PHASE_WARMUP_SECONDS, concurrency, autocommit);
    const meter = cpuMeter({ database });
    const a = await load('pg insert autocommit', seconds, concurrency, autocommit);
    const cpu = meter(a.ok);
    report(a);
    console.log(`CPU per insert (autocommit): load generator ${cpu.loadGenerator.toFixed(0)} µs, database ${cpu.database.toFixed(0)} µs`);
    const t = await load('pg insert BEGIN/INSERT/COMMIT (old baseline, not used for ratios)', seconds, concurrency, threeRoundTrips);
    report(t);
    return { autocommit: a, threeRoundTrips: t, autocommitCpuUs: cpu.all };
  } finally {
    await pool.end();
  }
}

/** A receiver on 127.0.0.1 (bench/outbound, bench/fanout) that records, per request, the delay since the envelope's timestamp. */
export async function receiver() {
  const latencies: number[] = [];
  let count = 0;
  let waiter: { n: number; resolve: () => void } | undefined;
  const byPath = new Map<string, number>();
  const pathWaiters: Array<{ path: string; n: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp: string };
      latencies.push(Date.now() - Date.parse(body.timestamp));
      count++;
      const seen = (byPath.get(req.url!) ?? 0) + 1;
      byPath.set(req.url!, seen);
      res.writeHead(200).end();
      if (waiter && count >= waiter.n) waiter.resolve();
      for (const w of pathWaiters) if (w.path === req.url && seen >= w.n) w.resolve();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reset: () => { latencies.length = 0; count = 0; byPath.clear(); },
    until: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : (waiter = { n, resolve }))),
    untilPath: (path: string, n: number) => new Promise<void>((resolve) => ((byPath.get(path) ?? 0) >= n ? resolve() : pathWaiters.push({ path, n, resolve }))),
    latencies: () => [...latencies].sort((a, b) => a - b),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export async function gql(origin: string, key: string, query: string, variables?: unknown) {
  const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data: any; errors?: unknown };
}

// A 1 KB JSON body, as in ../shared/PERFORMANCE.md.
export const payload = (n: number) => JSON.stringify({ action: 'opened', number: n, repository: { full_name: 'acme/app' }, pad: 'x'.repeat(900) });

/** Signed Standard Webhooks requests with 1 KB bodies and fresh message ids, one per call. */
export function signer(secret: string) {
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

/** A trigger with the two JSONPath inputs every inbound benchmark maps: its id and secret. */
export async function benchTrigger(origin: string, adminKey: string): Promise<{ id: string; secret: string }> {
  const created = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { createTrigger(input: {name: "bench", agent: "bench", inputs: [{name: "n", path: "$.number", type: NUMBER}, {name: "repo", path: "$.repository.full_name"}]}) { trigger { id } secret } }' }),
  }).then((r) => r.json()) as { data: { createTrigger: { trigger: { id: string }; secret: string } } };
  return { id: created.data.createTrigger.trigger.id, secret: created.data.createTrigger.secret };
}

/**
 * CPU time (user + system, ms) used so far by a process and, with `children`, by its child
 * processes alive now (PostgreSQL's backends): Linux's /proc, undefined elsewhere. On a shared
 * machine a rate moves with the neighbours' load; the CPU a unit of work costs much less so.
 */
export function cpuMs(pid: number, children = false): number | undefined {
  if (!existsSync(`/proc/${pid}/stat`)) return undefined;
  const hz = 100; // USER_HZ: what /proc counts ticks in on Linux
  const fields = (p: string) => readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  const ticks = (f: string[]) => Number(f[11]) + Number(f[12]);
  let total = ticks(fields(String(pid)));
  if (children) {
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const f = fields(p);
        if (Number(f[1]) === pid) total += ticks(f);
      } catch { /* it exited meanwhile */ }
    }
  }
  return (total * 1000) / hz;
}

export interface CpuPerUnit {
  gateway: number;
  database: number;
  loadGenerator: number;
  /** The three together. */
  all: number;
}

/**
 * CPU per unit of work (µs) from now to the call of the returned function: of this process (the
 * load generator), of `database` (the postmaster) with its backends, and of `gateway` if given (0
 * if not). It moves least with a shared machine's load: the rates move with it.
 */
export function cpuMeter(pids: { gateway?: number; database: number }): (units: number) => CpuPerUnit {
  const gatewayMs = () => (pids.gateway === undefined ? 0 : cpuMs(pids.gateway) ?? NaN);
  const databaseMs = () => cpuMs(pids.database, true) ?? NaN;
  const before = { own: process.cpuUsage(), gateway: gatewayMs(), database: databaseMs() };
  return (units) => {
    const own = process.cpuUsage(before.own);
    const gateway = (gatewayMs() - before.gateway) * 1000 / units;
    const database = (databaseMs() - before.database) * 1000 / units;
    const loadGenerator = (own.user + own.system) / units;
    return { gateway, database, loadGenerator, all: gateway + database + loadGenerator };
  };
}

/**
 * The gateway's CPU ceiling: the rate at which its run's processes (gateway, database, load
 * generator, all on this machine's cores) would keep every core busy, as a ratio to the autocommit
 * baseline's measured rate. A ratio goal above it cannot be met on this machine by shorter waits,
 * only by less CPU per request. (The baseline is not CPU-bound: its commits wait on the WAL.)
 */
export function cpuCeiling(allProcessesUs: number, baseline: { perSecond: number; cpuUs: number }): string {
  const cores = os.availableParallelism();
  const ceiling = (cores * 1e6) / allProcessesUs;
  return `CPU ceiling on ${cores} cores: ${ceiling.toFixed(0)}/s at ${allProcessesUs.toFixed(0)} µs of CPU a request (all processes), `
    + `${(ceiling / baseline.perSecond).toFixed(2)} of the autocommit baseline (${baseline.cpuUs.toFixed(0)} µs an insert, ${(100 * baseline.perSecond * baseline.cpuUs / 1e6 / cores).toFixed(0)} % of the cores busy)`;
}

/** The embedded database's postmaster (benchDatabase), whose children are its backends. */
export const postmasterPid = (db: { dataDir: string }) =>
  Number(readFileSync(path.join(path.dirname(db.dataDir), 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
