// The one HTTP client for deliveries (and pings): undici's request API over an Agent that keeps a
// connection pool per origin (global fetch measured ~10x slower here), the target guard in its DNS
// lookup, a hard timeout, and no redirects (a 3xx is an answer, not a success).
import { Agent, errors, request } from 'undici';
import { type TargetPolicy, guardedConnector } from './target-guard.ts';

export const RESPONSE_BODY_LIMIT = 4096;
export const USER_AGENT = 'webhook-gateway/0.1 (+https://www.standardwebhooks.com)';

export interface SendResult {
  /** The HTTP status, when an answer came. */
  statusCode: number | null;
  durationMs: number;
  /** Why no 2xx: TIMEOUT, CONNECTION_REFUSED, TARGET_REFUSED, DNS, TLS, HTTP_<status>, NETWORK (the worker adds INTERNAL). */
  errorClass: string | null;
  /** The response body's first 4 KiB as storable text (storableText). */
  responseBody: string | null;
  retryAfterSeconds: number | null;
}

function classify(err: unknown): string {
  const e = err as { code?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError || err instanceof errors.ConnectTimeoutError || e.name === 'TimeoutError' || e.name === 'AbortError') return 'TIMEOUT';
  if (code === 'ETARGETREFUSED') return 'TARGET_REFUSED';
  if (code === 'ECONNREFUSED') return 'CONNECTION_REFUSED';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'DNS';
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO') return 'TLS';
  return 'NETWORK';
}

/**
 * A receiver's bytes as text PostgreSQL can store whatever they are (SPEC §15): decoded as UTF-8,
 * each invalid sequence and each NUL (which a text column refuses) becomes U+FFFD. When the body
 * was cut at the limit, a character whose bytes run past the cut is left out rather than replaced.
 */
export function storableText(bytes: Uint8Array, truncated: boolean): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes, { stream: truncated }).replaceAll('\0', '\u{FFFD}');
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
}

export class DeliveryClient {
  readonly #agent: Agent;

  constructor(policy: TargetPolicy) {
    this.#agent = new Agent({ connections: 50, keepAliveTimeout: 10_000, connect: guardedConnector(policy, 10_000) });
  }

  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
    const started = performance.now();
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(url, { method: 'POST', body, headers, dispatcher: this.#agent, signal, maxRedirections: 0 } as Parameters<typeof request>[1]);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size > RESPONSE_BODY_LIMIT) {
          res.body.destroy();
          break;
        }
      }
      const text = storableText(Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT), size > RESPONSE_BODY_LIMIT);
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return {
        statusCode: res.statusCode,
        durationMs: Math.round(performance.now() - started),
        errorClass: ok ? null : `HTTP_${res.statusCode}`,
        responseBody: text,
        retryAfterSeconds: res.statusCode === 429 || res.statusCode === 503 ? retryAfter(res.headers['retry-after']) : null,
      };
    } catch (err) {
      return { statusCode: null, durationMs: Math.round(performance.now() - started), errorClass: classify(err), responseBody: null, retryAfterSeconds: null };
    }
  }

  /**
   * A form POST whose whole answer is wanted (an OAuth2 token request), through the same guarded
   * pool, timeout and no-redirect rule as deliveries. More than `limit` bytes is `tooLarge`: the
   * rest is not read.
   */
  async postForm(url: string, form: URLSearchParams, headers: Record<string, string>, timeoutMs: number, limit: number): Promise<FormAnswer> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(url, {
        method: 'POST', body: form.toString(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
        dispatcher: this.#agent, signal, maxRedirections: 0,
      } as Parameters<typeof request>[1]);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          res.body.destroy();
          return { statusCode: res.statusCode, body: null, tooLarge: true, errorClass: null };
        }
        chunks.push(chunk as Buffer);
      }
      return { statusCode: res.statusCode, body: Buffer.concat(chunks), tooLarge: false, errorClass: null };
    } catch (err) {
      return { statusCode: null, body: null, tooLarge: false, errorClass: classify(err) };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
