// The one HTTP client for deliveries (and pings): undici's request API over Agents that keep a
// connection pool per origin (global fetch measured ~10x slower here), the target guard in its DNS
// lookup, a hard timeout, and no redirects (a 3xx is an answer, not a success).
// mTLS (SPEC §7): a subscription with a client certificate or CAs of its own gets the pool of its TLS
// identity (certificate + CA set), so a connection opened with one subscription's certificate or
// trust never carries another's request; a subscription whose identity changes retires the pool it
// used when no other subscription uses it.
import tls, { type TLSSocket } from 'node:tls';
import { Agent, type Dispatcher, errors } from 'undici';
import { sha256Hex } from './crypto/sha256.ts';
import { type TargetPolicy, guardedConnector } from './target-guard.ts';
import { type Failure, describeFailure } from './http-failures.ts';

export const RESPONSE_BODY_LIMIT = 4096;
export const USER_AGENT = 'webhook-gateway/0.1 (+https://www.standardwebhooks.com)';
const CONNECT_TIMEOUT_MS = 10_000;
/** A TLS identity's pool unused this long is closed (checked every minute and when one is opened). */
const IDLE_POOL_MS = 10 * 60_000;

export interface SendResult {
  /** The HTTP status, when an answer came. */
  statusCode: number | null;
  durationMs: number;
  /** Why no 2xx: TIMEOUT, CONNECTION_REFUSED, TARGET_REFUSED, DNS, TLS, HTTP_<status>, NETWORK (the worker adds INTERNAL). */
  errorClass: string | null;
  /** A readable reason when no answer came (which certificate check failed, which name did not resolve). */
  errorReason: string | null;
  /** The response body's first 4 KiB as storable text (storableText). */
  responseBody: string | null;
  retryAfterSeconds: number | null;
}

/** What a subscription presents and trusts (PEM; the key decrypted just before a pool needs it). */
export interface TlsMaterial {
  certificatePem: string | null;
  keyPem: string | null;
  caCertificatesPem: string | null;
}

/** SHA-256 of certificate and CA set: what names a pool. The key goes with the certificate. */
export const tlsIdentity = (m: Pick<TlsMaterial, 'certificatePem' | 'caCertificatesPem'>): string | null =>
  m.certificatePem || m.caCertificatesPem
    ? sha256Hex(`${m.certificatePem ?? ''}\0${m.caCertificatesPem ?? ''}`)
    : null;

export interface Destination {
  url: string;
  /** The subscription sending: a change of its TLS identity retires the pool it used. */
  owner: string;
  /** Its TLS identity as stored (null: none), and how to get the material when no pool has it yet. */
  tls?: { identity: string; material: () => Promise<TlsMaterial> } | null;
}

/**
 * A receiver's bytes as text PostgreSQL can store whatever they are (SPEC §15): decoded as UTF-8,
 * each invalid sequence and each NUL (which a text column refuses) becomes U+FFFD. When the body
 * was cut at the limit, a character whose bytes run past the cut is left out rather than replaced.
 */
export function storableText(bytes: Uint8Array, truncated: boolean): string {
  if (bytes.length === 0) return '';
  // A whole body leaves no state behind in the decoder, so one serves every call; a cut one does.
  const decoder = truncated ? new TextDecoder('utf-8', { ignoreBOM: true }) : wholeDecoder;
  return decoder.decode(bytes, { stream: truncated }).replaceAll('\0', '\u{FFFD}');
}

const wholeDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A deadline for one request, cleared once it is settled: AbortSignal.timeout's timer would still
 * fire for every delivery long after its answer, building an abort event and exception each time.
 */
function deadline(timeoutMs: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs).unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Origin and path per URL, parsed once: undici's request(url) parses the string on every call. */
const targets = new Map<string, { origin: string; path: string }>();

function target(url: string): { origin: string; path: string } {
  let t = targets.get(url);
  if (!t) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new errors.InvalidArgumentError('Invalid URL protocol: the URL must start with `http:` or `https:`.');
    if (targets.size >= 10_000) targets.clear();
    t = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    targets.set(url, t);
  }
  return t;
}

/** The answer's first RESPONSE_BODY_LIMIT bytes as storable text. */
async function responseText(res: Dispatcher.ResponseData<unknown>): Promise<string> {
  const { bytes, truncated } = await readUpTo(res, RESPONSE_BODY_LIMIT);
  return storableText(bytes, truncated);
}

/**
 * At most `limit` bytes of an answer, and whether there was more. A body whose declared length is
 * within the limit is read whole (undici holds it to that length); any other is read chunk by
 * chunk up to the limit, then the rest is dropped. Plain listeners, not an async iterator: most
 * answers are empty, and the iterator's machinery cost more than reading them.
 */
async function readUpTo(res: Dispatcher.ResponseData<unknown>, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const length = res.headers['content-length'];
  if (typeof length === 'string' && /^\d{1,15}$/.test(length) && Number(length) <= limit) {
    return { bytes: await res.body.bytes(), truncated: false };
  }
  const body = res.body;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      body.removeAllListeners('data').destroy();
      resolve({ bytes: Buffer.concat(chunks).subarray(0, limit), truncated: true });
    });
    body.once('end', () => resolve({ bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), truncated: false }));
    // After a cut the promise is settled: the destroy's own error, if any, changes nothing.
    body.once('error', reject);
  });
}

function retryAfter(value: string | string[] | undefined): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** A whole answer (postForm): the status and bytes, or why there are none. */
export interface FormAnswer {
  statusCode: number | null;
  body: Buffer | null;
  tooLarge: boolean;
  /** As SendResult's, when no answer came. */
  errorClass: string | null;
  errorReason: string | null;
}

interface TlsSocketState {
  /** A TLS alert the receiver sent. */
  alert: Error | undefined;
  /** The receiver accepted the handshake (TLS 1.3: it sent a session ticket). */
  accepted: boolean;
}

interface Pool {
  agent: Agent;
  owners: Set<string>;
  usedAt: number;
}

const AGENT_OPTIONS = { connections: 50, keepAliveTimeout: 10_000 };

export class DeliveryClient {
  readonly #policy: TargetPolicy;
  readonly #agent: Agent;
  readonly #pools = new Map<string, Pool>();
  /**
   * Material being read for an identity no pool has yet, by subscription: a batch's deliveries
   * share one read, never another subscription's (whose settings may have changed meanwhile).
   */
  readonly #loading = new Map<string, Promise<TlsMaterial>>();
  /** The TLS identity each subscription last sent with (absent: none). */
  readonly #identityOf = new Map<string, string>();
  /**
   * TLS sockets by local and remote port, kept a short while after they close: in TLS 1.3 the
   * receiver judges our client certificate after we consider the handshake done, so its refusal
   * (an alert, often lost to the reset that follows it) reaches undici only as "other side closed".
   */
  readonly #tlsSockets = new Map<string, TlsSocketState>();

  readonly #idleCheck: NodeJS.Timeout;

  constructor(policy: TargetPolicy) {
    this.#policy = policy;
    this.#agent = new Agent({ ...AGENT_OPTIONS, connect: this.#watched(guardedConnector(policy, CONNECT_TIMEOUT_MS)) });
    // Deleted subscriptions, and ones no worker sends for any more, leave their pools behind.
    this.#idleCheck = setInterval(() => this.#closeIdle(), 60_000).unref();
  }

  /** TLS identities with a pool open: a gauge for /metrics and a check for tests. */
  get tlsPools(): number {
    return this.#pools.size;
  }

  async post(to: Destination, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
    const dispatcher = await this.#dispatcherFor(to);
    const started = performance.now();
    const { signal, clear } = deadline(timeoutMs);
    try {
      const res = await dispatcher.request({ ...target(to.url), method: 'POST', body, headers, signal, maxRedirections: 0 } as Parameters<Agent['request']>[0]);
      const text = await responseText(res);
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return {
        statusCode: res.statusCode,
        durationMs: Math.round(performance.now() - started),
        errorClass: ok ? null : `HTTP_${res.statusCode}`,
        errorReason: null,
        responseBody: text,
        retryAfterSeconds: res.statusCode === 429 || res.statusCode === 503 ? retryAfter(res.headers['retry-after']) : null,
      };
    } catch (err) {
      const failure = this.#failure(err, to.url, timeoutMs);
      return { statusCode: null, durationMs: Math.round(performance.now() - started), ...failure, responseBody: null, retryAfterSeconds: null };
    } finally {
      clear();
    }
  }

  /**
   * A form POST whose whole answer is wanted (an OAuth2 token request), through the same guarded
   * pool, timeout and no-redirect rule as deliveries. More than `limit` bytes is `tooLarge`: the
   * rest is not read.
   */
  async postForm(url: string, form: URLSearchParams, headers: Record<string, string>, timeoutMs: number, limit: number): Promise<FormAnswer> {
    const { signal, clear } = deadline(timeoutMs);
    try {
      const res = await this.#agent.request({
        ...target(url), method: 'POST', body: form.toString(), signal, maxRedirections: 0,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
      } as Parameters<Agent['request']>[0]);
      const { bytes, truncated } = await readUpTo(res, limit);
      return { statusCode: res.statusCode, body: truncated ? null : Buffer.from(bytes), tooLarge: truncated, errorClass: null, errorReason: null };
    } catch (err) {
      return { statusCode: null, body: null, tooLarge: false, ...this.#failure(err, url, timeoutMs) };
    } finally {
      clear();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#idleCheck);
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all([this.#agent.close(), ...pools.map((p) => p.agent.close())]);
  }

  /** The default pool, or the pool of the destination's TLS identity (opened if need be). */
  async #dispatcherFor(to: Destination): Promise<Agent> {
    let identity = to.tls?.identity ?? null;
    let pool = identity ? this.#pools.get(identity) : undefined;
    if (to.tls && !pool) {
      const key = `${to.owner}:${to.tls.identity}`;
      let loading = this.#loading.get(key);
      if (!loading) {
        loading = to.tls.material().finally(() => this.#loading.delete(key));
        this.#loading.set(key, loading);
      }
      const material = await loading;
      // The stored identity may be older than the material read now: the material decides.
      identity = tlsIdentity(material);
      pool = identity ? (this.#pools.get(identity) ?? this.#open(identity, material)) : undefined;
    }
    this.#assign(to.owner, identity);
    if (!pool) return this.#agent;
    pool.owners.add(to.owner);
    pool.usedAt = Date.now();
    return pool.agent;
  }

  #open(identity: string, m: TlsMaterial): Pool {
    this.#closeIdle();
    // The CAs given are trusted in addition to the ones Node trusts by default, not instead.
    const ca = m.caCertificatesPem ? [...tls.getCACertificates('default'), m.caCertificatesPem] : undefined;
    const secureContext = tls.createSecureContext({
      ...(m.certificatePem && m.keyPem ? { cert: m.certificatePem, key: m.keyPem } : {}),
      ...(ca ? { ca } : {}),
    });
    const pool = { agent: new Agent({ ...AGENT_OPTIONS, connect: this.#watched(guardedConnector(this.#policy, CONNECT_TIMEOUT_MS, { secureContext })) }), owners: new Set<string>(), usedAt: Date.now() };
    this.#pools.set(identity, pool);
    return pool;
  }

  /** Records the owner's identity; the pool it leaves is closed once no subscription uses it. */
  #assign(owner: string, identity: string | null): void {
    const previous = this.#identityOf.get(owner);
    if (previous === (identity ?? undefined)) return;
    if (identity) this.#identityOf.set(owner, identity);
    else this.#identityOf.delete(owner);
    const left = previous ? this.#pools.get(previous) : undefined;
    if (!left) return;
    left.owners.delete(owner);
    if (left.owners.size === 0) this.#retire(previous!);
  }

  #retire(identity: string): void {
    const pool = this.#pools.get(identity);
    if (!pool) return;
    this.#pools.delete(identity);
    for (const owner of pool.owners) this.#identityOf.delete(owner);
    // close() lets requests in flight finish, then closes the connections.
    void pool.agent.close().catch(() => {});
  }

  #closeIdle(): void {
    const now = Date.now();
    for (const [identity, pool] of this.#pools) if (now - pool.usedAt > IDLE_POOL_MS) this.#retire(identity);
  }

  #watched(connect: ReturnType<typeof guardedConnector>): ReturnType<typeof guardedConnector> {
    return (options, callback) => connect(options, (err, socket) => {
      if (socket && options.protocol === 'https:') {
        const s = socket as TLSSocket;
        const key = `${s.localPort}:${s.remotePort}`;
        // A TLS 1.3 server sends its session tickets once it has accepted our side of the handshake.
        const state: TlsSocketState = { alert: undefined, accepted: s.getProtocol() !== 'TLSv1.3' };
        this.#tlsSockets.set(key, state);
        s.on('session', () => (state.accepted = true));
        s.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code?.startsWith('ERR_SSL_')) state.alert = e;
        });
        s.once('close', () => setTimeout(() => this.#tlsSockets.delete(key), 5000).unref());
      }
      if (err) callback(err, null);
      else callback(null, socket!);
    });
  }

  #failure(err: unknown, url: string, timeoutMs: number): Failure {
    const e = err as { code?: string; socket?: { localPort?: number; remotePort?: number } };
    const state = e.code === 'UND_ERR_SOCKET' && e.socket ? this.#tlsSockets.get(`${e.socket.localPort}:${e.socket.remotePort}`) : undefined;
    if (state && !state.alert && !state.accepted) {
      return { errorClass: 'TLS', errorReason: 'handshake refused: the receiver closed the connection right after the TLS 1.3 handshake without accepting it (it may not accept our client certificate, or require one)' };
    }
    return describeFailure(state?.alert ?? err, url, err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError || err instanceof errors.ConnectTimeoutError, timeoutMs);
  }
}
