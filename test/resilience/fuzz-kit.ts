// Seeded fuzzing of a gateway running in its own process (SPEC §15 "hostile input"): every case is
// rebuilt from (seed, index) alone, so `FUZZ_SEED=<seed> FUZZ_CASE=<index>` replays one case; the
// run is bounded in count, concurrency and per-request time. In its own process a case that hangs
// the event loop is caught as a hang (and the run stops) instead of freezing the test, a crash is
// an exit, and the heap is measured after a forced collection through the inspector.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayProcess, spawnGateway } from '../support/process.ts';

/** The run's seed: FUZZ_SEED, else a fixed one, so a plain `npm test` always runs the same cases. */
export const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 0x5eed_2026;
/** FUZZ_CASE=<index> runs that case alone. */
export const ONLY_CASE = process.env.FUZZ_CASE ? Number(process.env.FUZZ_CASE) : undefined;

/** mulberry32: small, fast and good enough to spread cases; the same seed gives the same stream. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** 0 .. max-1 */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  /** Sizes spread over orders of magnitude: 0 .. max, small ones most often. */
  size(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.next() * Math.log(max + 1))) - 1 + this.int(2));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![1];
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** Characters from a class, for ids, header values and strings. */
  text(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  /** Any UTF-16 code units, lone surrogates included. */
  unicode(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      s += String.fromCharCode(this.weighted([[6, 0x20 + this.int(0x5f)], [1, this.int(0x20)], [2, 0x80 + this.int(0x780)], [1, 0xd800 + this.int(0x800)], [1, this.int(0x10000)]]));
    }
    return s;
  }
}

/** Each case's own stream, so one case can be rebuilt without the ones before it. */
export function caseRng(seed: number, index: number): Rng {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}

/** A request an HTTP client can send: any method, path, header values and body bytes. */
export interface HttpCase {
  kind: 'http';
  label: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

/** Bytes written to a socket as they are: broken framing, header syntax, encodings. */
export interface RawCase {
  kind: 'raw';
  label: string;
  chunks: Buffer[];
}

export type FuzzCase = HttpCase | RawCase;

interface Answer {
  /** Status codes of the responses that came back (several when requests were pipelined). */
  statuses: number[];
  /** The connection ended without a full answer (a server may drop a malformed request). */
  dropped?: string;
  hung?: boolean;
  /** The start of a 5xx answer's body. */
  excerpt?: string;
}

const preview = (b: Buffer | undefined, n = 160) => (b === undefined ? '' : JSON.stringify(b.subarray(0, n).toString('latin1')) + (b.length > n ? `…(+${b.length - n} bytes)` : ''));

export function describeCase(c: FuzzCase): string {
  if (c.kind === 'raw') {
    const all = Buffer.concat(c.chunks);
    return `${c.label}: raw ${all.length} bytes in ${c.chunks.length} writes: ${preview(all, 400)}`;
  }
  const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.slice(0, 60), [v].flat().map((s) => (s.length > 100 ? `${s.slice(0, 100)}…(${s.length})` : s))]));
  return `${c.label}: ${c.method} ${c.path.length > 200 ? `${c.path.slice(0, 200)}…(${c.path.length})` : c.path} headers=${JSON.stringify(headers)} body(${c.body?.length ?? 0})=${preview(c.body)}`;
}

/**
 * The request as bytes, with its framing broken in one of the ways clients and attackers do:
 * conflicting lengths, truncated bodies, odd chunking and transfer codings, request lines and
 * header syntax the parser must refuse, oversized heads, a pipelined second request, and the
 * bytes split across writes at random points.
 */
export function rawRequest(rng: Rng, label: string, method: string, path: string, headers: Record<string, string | string[]>, payload: Buffer): RawCase {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(headers)) for (const one of [v].flat()) lines.push(`${k}: ${one}`);
  const eol = rng.chance(0.9) ? '\r\n' : rng.pick(['\n', '\r', '\n\r']);
  const framing = rng.weighted<() => { head: string[]; bytes: Buffer; label: string }>([
    [4, () => ({ head: [`Content-Length: ${payload.length}`], bytes: payload, label: 'plain' })],
    [2, () => ({ head: [`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1 + rng.int(10)}`], bytes: payload, label: 'two content-lengths' })],
    [2, () => ({ head: [`Content-Length: ${rng.pick(['-1', '99999999999999999999', ' 5', '5 5', '0x10', '', '1e3'])}`], bytes: payload, label: 'bad content-length' })],
    [2, () => ({ head: [`Content-Length: ${payload.length + 1 + rng.size(100_000)}`], bytes: payload, label: 'truncated body' })],
    [2, () => ({ head: ['Transfer-Encoding: chunked', `Content-Length: ${payload.length}`], bytes: Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]), label: 'chunked and content-length' })],
    [3, () => ({ head: ['Transfer-Encoding: chunked'], bytes: Buffer.concat([Buffer.from(`${rng.pick([payload.length.toString(16), 'zz', '-1', 'ffffffffffffffff', `${payload.length.toString(16)};ext=${rng.text(50)}`])}\r\n`), payload, Buffer.from(rng.pick(['\r\n0\r\n\r\n', '\r\n', '0\r\n\r\n', '\r\n0\r\nX-Trailer: 1\r\n\r\n']))]), label: 'chunked' })],
    [1, () => ({ head: [`Transfer-Encoding: ${rng.pick(['gzip, chunked', 'chunked, identity', 'xchunked', 'chunked\u000b'])}`], bytes: payload, label: 'odd transfer-encoding' })],
  ])();
  const requestLine = rng.weighted<() => string>([
    [12, () => `${method} ${path} HTTP/1.1`],
    [1, () => `${method} ${path} HTTP/1.0`],
    [1, () => `${rng.pick(['post', 'P0ST', 'POST\t', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'CONNECT', rng.text(20)])} ${path} HTTP/1.1`],
    [1, () => `POST http://127.0.0.1${path} HTTP/1.1`],
    [1, () => `POST ${path}${rng.pick(['?', '#', '%', '%00', '/../..', '?a=%ff'])}${rng.text(rng.size(20_000))} HTTP/1.1`],
    [1, () => `POST ${path} HTTP/${rng.pick(['2.0', '1.2', '0.9', 'x', ''])}`],
    [1, () => `POST  ${path}  HTTP/1.1`],
  ])();
  const headerNoise = rng.weighted<() => string[]>([
    [10, () => []],
    [1, () => [`X-Folded: a${eol} continued`]],
    [1, () => [`X-Bad${rng.pick(['\u0000', ' ', '(', '@', '\u00ff'])}Name: v`]],
    [1, () => [`X-Value: ${rng.bytes(rng.size(200)).toString('latin1').replace(/[\r\n]/g, '')}`]],
    [1, () => [`X-Huge: ${'a'.repeat(rng.size(40_000))}`]],
    [1, () => Array.from({ length: rng.size(3000) }, (_, i) => `X-H${i}: ${i}`)],
    [1, () => ['Host: a', 'Host: b']],
    [1, () => ['Expect: 100-continue']],
    [1, () => ['Connection: keep-alive, Upgrade', 'Upgrade: websocket']],
  ])();
  const head = [requestLine, 'Host: 127.0.0.1', ...lines, ...framing.head, ...headerNoise].join(eol) + eol + eol;
  // Bytes as written: characters past Latin-1 go out as their UTF-8 bytes, as a sloppy client's would.
  const headBytes = Buffer.from([...head].map((ch) => (ch.codePointAt(0)! > 0xff ? Buffer.from(ch, 'utf8').toString('latin1') : ch)).join(''), 'latin1');
  const whole = Buffer.concat([headBytes, framing.bytes, ...(rng.chance(0.05) ? [Buffer.from(`POST ${path} HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}`)] : [])]);
  // Split at random points: the parser must cope with any chunking.
  const chunks: Buffer[] = [];
  let at = 0;
  for (let cuts = rng.size(4); cuts > 0 && at < whole.length; cuts--) {
    const next = at + 1 + rng.int(whole.length - at);
    chunks.push(whole.subarray(at, next));
    at = next;
  }
  if (at < whole.length) chunks.push(whole.subarray(at));
  return { kind: 'raw', label: `${label} raw ${framing.label}`, chunks };
}

function sendRaw(port: number, c: RawCase, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (a: Omit<Answer, 'statuses'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r?\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ statuses, ...(statuses.length === 0 ? a : {}), ...(statuses.some((x) => x >= 500) ? { excerpt: text.slice(0, 500) } : {}) });
    };
    const timer = setTimeout(() => finish({ hung: true }), timeoutMs);
    socket.on('data', (d: Buffer) => {
      if (size < 65_536) received.push(d);
      size += d.length;
    });
    socket.on('error', (err) => finish({ dropped: (err as NodeJS.ErrnoException).code ?? err.message }));
    socket.on('close', () => finish({ dropped: 'closed' }));
    socket.on('connect', () => {
      for (const chunk of c.chunks) socket.write(chunk);
      // The end of what we send: a server waiting for more bytes sees the end and gives up.
      socket.end();
    });
  });
}

async function sendHttp(pool: Pool, c: HttpCase, timeoutMs: number): Promise<Answer> {
  try {
    const res = await pool.request({ method: c.method, path: c.path, headers: c.headers, body: c.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    if (res.statusCode < 500) {
      await res.body.dump({ limit: 64 * 1024 * 1024 });
      return { statuses: [res.statusCode] };
    }
    return { statuses: [res.statusCode], excerpt: (await res.body.text()).slice(0, 300) };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { statuses: [], hung: true };
    // A server may answer early (413) and close while the body is still being sent.
    if (/UND_ERR_SOCKET|ECONNRESET|EPIPE|UND_ERR_CLOSED/.test(code)) return { statuses: [], dropped: code };
    throw new Error(`the fuzzer could not send ${describeCase(c)}: ${(err as Error).message}`, { cause: err });
  }
}

export interface FuzzFailure {
  index: number;
  reason: string;
  request: string;
}

export interface FuzzReport {
  ran: number;
  /** How many answers per status (and per kind of dropped connection). */
  outcomes: Record<string, number>;
  failures: FuzzFailure[];
  /** The gateway stopped answering; the run stopped early. */
  stalled: boolean;
  /** The slowest answers (for a look at what comes close to a hang; never asserted). */
  slowest: Array<{ index: number; ms: number; label: string }>;
}

/**
 * Sends `count` cases, `concurrency` at a time. A case fails on a 5xx other than 503, or on no
 * answer within `timeoutMs` (a hang: the run stops, and every case in flight then is reported).
 */
export async function runFuzz(options: {
  url: string;
  seed: number;
  count: number;
  concurrency: number;
  timeoutMs: number;
  make: (rng: Rng, index: number) => FuzzCase;
  /** Runs this case alone (FUZZ_CASE by default). */
  only?: number;
}): Promise<FuzzReport> {
  const port = Number(new URL(options.url).port);
  const pool = new Pool(options.url, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 10_000 });
  const report: FuzzReport = { ran: 0, outcomes: {}, failures: [], stalled: false, slowest: [] };
  const only = options.only ?? ONLY_CASE;
  const indices = only !== undefined ? [only] : Array.from({ length: options.count }, (_, i) => i);
  const inFlight = new Map<number, FuzzCase>();
  let next = 0;
  const worker = async () => {
    while (!report.stalled && next < indices.length) {
      const index = indices[next++]!;
      const c = options.make(caseRng(options.seed, index), index);
      inFlight.set(index, c);
      const started = performance.now();
      const answer = c.kind === 'raw' ? await sendRaw(port, c, options.timeoutMs) : await sendHttp(pool, c, options.timeoutMs);
      inFlight.delete(index);
      report.ran++;
      report.slowest.push({ index, ms: Math.round(performance.now() - started), label: c.label });
      if (report.slowest.length > 20) report.slowest = report.slowest.sort((a, b) => b.ms - a.ms).slice(0, 5);
      if (answer.hung) {
        if (!report.stalled) {
          // The culprit is among the cases in flight, most likely the oldest; replay each alone.
          report.stalled = true;
          for (const [i, other] of [...inFlight, [index, c] as const].sort(([a], [b]) => a - b)) {
            report.failures.push({ index: i, reason: i === index ? `no answer within ${options.timeoutMs} ms` : 'in flight when the gateway stopped answering', request: describeCase(other) });
          }
        }
        continue;
      }
      for (const status of answer.statuses) {
        report.outcomes[status] = (report.outcomes[status] ?? 0) + 1;
        if (status >= 500 && status !== 503) report.failures.push({ index, reason: `answered ${status}: ${answer.excerpt ?? ''}`, request: describeCase(c) });
      }
      if (answer.statuses.length === 0) report.outcomes[`dropped:${answer.dropped}`] = (report.outcomes[`dropped:${answer.dropped}`] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  report.slowest = report.slowest.sort((a, b) => b.ms - a.ms).slice(0, 5);
  await pool.close();
  return report;
}

export function formatFailures(report: FuzzReport, seed: number, limit = 15): string {
  const lines = report.failures.slice(0, limit).map((f) => `  FUZZ_SEED=${seed} FUZZ_CASE=${f.index}: ${f.reason}\n    ${f.request}`);
  const more = report.failures.length > limit ? `\n  ... and ${report.failures.length - limit} more` : '';
  return `${report.failures.length} failing case(s)${report.stalled ? ' (the gateway stopped answering; the run stopped)' : ''}:\n${lines.join('\n')}${more}`;
}

/** Server-side 5xx counts by route (503 excluded), including answers to clients that had gone. */
export async function serverErrors(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(20_000) })).text();
  return text.split('\n').filter((l) => {
    const m = /^webhook_gateway_http_requests_total\{.*status="(\d+)".*\} (\d+)/.exec(l);
    return m !== null && Number(m[1]) >= 500 && Number(m[1]) !== 503 && Number(m[2]) > 0;
  });
}

export interface FuzzGateway {
  url: string;
  adminKey: string;
  gw: GatewayProcess;
  /** Heap in use right after a full collection, read through the inspector. */
  heapUsedAfterGc(): Promise<number>;
  /** The error lines the gateway logged (no secrets: the gateway never logs them). */
  errorLogs(): string[];
  stop(): Promise<void>;
}

/** A gateway process on its own test database, with the inspector on 127.0.0.1 for heap readings. */
export async function startFuzzGateway(env: Record<string, string> = {}): Promise<FuzzGateway> {
  const databaseUrl = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-fuzz-'));
  const gw = spawnGateway({
    DATABASE_URL: databaseUrl,
    MASTER_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SHUTDOWN_TIMEOUT_MS: '5000',
    NODE_OPTIONS: '--inspect=127.0.0.1:0',
    ...env,
  });
  const cleanup = async () => {
    if (gw.child.exitCode === null && gw.child.signalCode === null) {
      gw.child.kill('SIGTERM');
      // A gateway stuck in a loop (the hang a case found) never reads the signal.
      const killer = setTimeout(() => gw.child.kill('SIGKILL'), 15_000);
      await gw.exited;
      clearTimeout(killer);
    }
    await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const started = await gw.waitForLog('webhook gateway started', 60_000);
    const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(gw.stderr())?.[1];
    if (!inspector) throw new Error(`the gateway did not open its inspector: ${gw.stderr()}`);
    return {
      url: started.url as string,
      adminKey: readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim(),
      gw,
      heapUsedAfterGc: () => heapUsedAfterGc(inspector),
      errorLogs: () => gw.logs().filter((l) => l.level >= 50).map((l) => JSON.stringify(l).slice(0, 600)),
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function heapUsedAfterGc(inspectorUrl: string): Promise<number> {
  const ws = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
        if (msg.id !== mine) return;
        ws.off('message', onMessage);
        if (msg.error) reject(new Error(msg.error.message));
        else resolve(msg.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
    return r.result.value as number;
  } finally {
    ws.close();
  }
}

const MiB = 2 ** 20;

/**
 * The run both fuzz files make: a warm-up, `count` cases, then the first quarter again. Every case
 * must be answered below 500 (or 503); the gateway must still be alive, healthy and ready, with no
 * 5xx counted on its side either. Memory: the caches on the way (parsed documents, query plans,
 * keys) are bounded LRUs that fill during the run, so growth over the run is bounded by a cap;
 * replaying cases already seen hits those caches, so a heap that grows again then is a leak.
 */
export async function fuzzAndCheck(t: TestContext, gateway: FuzzGateway, options: { count: number; make: (rng: Rng, index: number) => FuzzCase }): Promise<void> {
  const run = (seed: number, count: number) => runFuzz({ url: gateway.url, seed, count, concurrency: 20, timeoutMs: 30_000, make: options.make });
  const failIf = (report: FuzzReport, seed: number) =>
    assert.equal(report.failures.length, 0, `${formatFailures(report, seed)}\ngateway errors:\n${gateway.errorLogs().slice(0, 10).join('\n')}`);

  if (ONLY_CASE !== undefined) {
    failIf(await run(SEED, 1), SEED);
    return;
  }
  const warmUp = await run(SEED ^ 0xffff, 300);
  failIf(warmUp, SEED ^ 0xffff);
  const heapStart = await gateway.heapUsedAfterGc();
  const report = await run(SEED, options.count);
  t.diagnostic(`outcomes: ${JSON.stringify(report.outcomes)}; slowest: ${report.slowest.map((x) => `FUZZ_CASE=${x.index} ${x.ms} ms (${x.label})`).join(', ')}`);
  failIf(report, SEED);
  assert.equal(report.ran, options.count);
  const heapFull = await gateway.heapUsedAfterGc();
  const again = await run(SEED, Math.ceil(options.count / 4));
  failIf(again, SEED);
  const heapAgain = await gateway.heapUsedAfterGc();
  t.diagnostic(`heap after GC: ${(heapStart / MiB).toFixed(1)} MiB after the warm-up, ${(heapFull / MiB).toFixed(1)} MiB after the run, ${(heapAgain / MiB).toFixed(1)} MiB after replaying its first quarter`);

  assert.equal(gateway.gw.child.exitCode, null, 'the gateway exited');
  assert.equal((await fetch(`${gateway.url}/healthz`, { signal: AbortSignal.timeout(20_000) })).status, 200);
  assert.equal((await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(20_000) })).status, 200);
  // Answers the clients never saw (they had gone) count too.
  assert.deepEqual(await serverErrors(gateway.url), []);
  assert.ok(heapFull - heapStart < 256 * MiB, `the heap grew by ${((heapFull - heapStart) / MiB).toFixed(1)} MiB over the run`);
  assert.ok(heapAgain - heapFull < 16 * MiB, `replaying cases already seen grew the heap by ${((heapAgain - heapFull) / MiB).toFixed(1)} MiB: something keeps what each request leaves`);
}
