// The checks of SPEC §5 after the trigger is known, shared by POST /hooks/{id} and the testTrigger
// dry run. Order: 415 content type → 403 IP allowlist → 403 webhook loop → (429 rate limit, by the
// route) → 401 signature or timestamp → (replay, by the caller) → 400 malformed body or mapping.
import ipaddr from 'ipaddr.js';
import { MAX_HOPS, loopProblem, requestHops } from '../signing/loop-marker.ts';
import { type Headers, senderIdKey, verify } from '../signing/schemes.ts';
import { MappingError, filterMatches, mapInputs } from './mapping.ts';
import type { TriggerContext } from './trigger-context.ts';

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export type CheckName = 'contentType' | 'ipAllowlist' | 'loop' | 'signature' | 'replay' | 'body' | 'filter' | 'mapping';

export interface CheckOutcome {
  check: CheckName;
  passed: boolean;
  detail: string;
}

export type SenderReply = { kind: 'github-ping' } | { kind: 'slack-challenge'; challenge: string };

export interface Evaluation {
  checks: CheckOutcome[];
  refusal?: Refusal;
  /** The gateway hops the request says it has made (signing/loop-marker.ts): its session keeps them. */
  hops?: number;
  /** The sender's id for the message, shown in inboundDeliveries. */
  messageId?: string;
  /** Replay memory keys (signing/schemes.ts): a replay matches any of them. */
  replayKeys?: string[];
  payload?: unknown;
  ignored?: boolean;
  inputs?: Record<string, unknown>;
  /** A sender handshake to answer as the sender expects, starting no session. */
  reply?: SenderReply;
}

export const refusals = {
  notFound: (): Refusal => ({ status: 404, code: 'TRIGGER_NOT_FOUND', message: 'no such trigger' }),
  tooLarge: (limit: number): Refusal => ({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${limit} bytes` }),
  rateLimited: (limit: number): Refusal => ({ status: 429, code: 'RATE_LIMITED', message: `trigger rate limit of ${limit} requests per second exceeded` }),
};

export function contentKind(contentType: string | undefined): 'json' | 'form' | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

export function ipAllowed(allowlist: string[], ip: string | undefined): boolean {
  if (allowlist.length === 0) return true;
  if (!ip || !ipaddr.isValid(ip)) return false;
  const addr = ipaddr.process(ip); // an IPv4-mapped IPv6 address (::ffff:1.2.3.4) counts as IPv4
  return allowlist.some((entry) => {
    let [range, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32];
    if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress()) {
      range = (range as ipaddr.IPv6).toIPv4Address();
      bits -= 96;
    }
    return range.kind() === addr.kind() && addr.match(range, bits);
  });
}

export function parsePayload(kind: 'json' | 'form', body: Buffer): { ok: true; payload: unknown } | { ok: false; detail: string } {
  const text = body.toString('utf8');
  if (kind === 'json') {
    try {
      return { ok: true, payload: JSON.parse(text) };
    } catch (err) {
      return { ok: false, detail: `body is not valid JSON: ${(err as Error).message}` };
    }
  }
  const params = new URLSearchParams(text);
  const field = params.get('payload');
  if (field === null) {
    // Form posts without a payload field (Slack slash commands) map as flat objects.
    return { ok: true, payload: Object.fromEntries(params) };
  }
  try {
    return { ok: true, payload: JSON.parse(field) };
  } catch (err) {
    return { ok: false, detail: `form field "payload" is not valid JSON: ${(err as Error).message}` };
  }
}

export interface RequestFacts {
  headers: Headers;
  body: Buffer;
  sourceIp: string | undefined;
  nowSeconds: number;
}

/**
 * The checks before the rate limit: content type, IP allowlist, and the webhook loop marker
 * (SPEC §15), which refuses what this deployment (`ownDeploymentId`) sent itself or a request past
 * the hop limit before any signature is computed.
 */
export function preChecks(
  t: TriggerContext, req: Pick<RequestFacts, 'headers' | 'sourceIp'>, ownDeploymentId: string, ev: Evaluation,
): 'json' | 'form' | undefined {
  const kind = contentKind(req.headers['content-type']);
  if (!kind) {
    ev.checks.push({ check: 'contentType', passed: false, detail: `content type "${req.headers['content-type'] ?? ''}" is not application/json or application/x-www-form-urlencoded` });
    ev.refusal = { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json or application/x-www-form-urlencoded' };
    return undefined;
  }
  ev.checks.push({ check: 'contentType', passed: true, detail: kind === 'json' ? 'JSON body' : 'form-encoded body' });
  if (!ipAllowed(t.ipAllowlist, req.sourceIp)) {
    ev.checks.push({ check: 'ipAllowlist', passed: false, detail: `source address ${req.sourceIp ?? 'unknown'} is not in the allowlist` });
    ev.refusal = { status: 403, code: 'IP_NOT_ALLOWED', message: 'source address not allowed for this trigger' };
    return undefined;
  }
  ev.checks.push({ check: 'ipAllowlist', passed: true, detail: t.ipAllowlist.length === 0 ? 'no allowlist' : `${req.sourceIp} is allowed` });
  const loop = loopProblem(req.headers, ownDeploymentId);
  if (loop) {
    ev.checks.push({ check: 'loop', passed: false, detail: loop });
    ev.refusal = { status: 403, code: 'WEBHOOK_LOOP', message: loop };
    return undefined;
  }
  ev.hops = requestHops(req.headers);
  ev.checks.push({ check: 'loop', passed: true, detail: ev.hops === 0 ? 'not marked as a gateway hop' : `gateway hop ${ev.hops} of at most ${MAX_HOPS}` });
  return kind;
}

/** Signature, then the replay keys (for Stripe, from the body). Returns false when refused. */
export function signatureCheck(t: TriggerContext, req: RequestFacts, ev: Evaluation): boolean {
  const result = verify({ scheme: t.scheme, headers: req.headers, body: req.body, secrets: t.secrets, toleranceSeconds: t.toleranceSeconds, nowSeconds: req.nowSeconds, hmac: t.hmac });
  if (!result.ok) {
    ev.checks.push({ check: 'signature', passed: false, detail: result.reason });
    ev.refusal = result.check === 'timestamp'
      ? { status: 401, code: 'TIMESTAMP_OUT_OF_WINDOW', message: result.reason }
      : { status: 401, code: 'INVALID_SIGNATURE', message: 'signature verification failed' };
    return false;
  }
  ev.checks.push({ check: 'signature', passed: true, detail: `${t.scheme} signature verified` });
  ev.messageId = result.messageId;
  ev.replayKeys = result.replayKeys;
  if (t.scheme === 'STRIPE') {
    // Stripe's replay id is the event id in the signed body.
    let id: string | undefined;
    try {
      id = stripeMessageId(JSON.parse(req.body.toString('utf8')));
    } catch {
      // a malformed body is refused by the body check, after the replay check
    }
    if (id !== undefined) {
      ev.messageId = id;
      ev.replayKeys = [senderIdKey(id)];
    }
  }
  return true;
}

/** What inboundDeliveries shows as the message id: the sender's, else the signed bytes' key. */
export const shownMessageId = (ev: Evaluation): string | undefined => ev.messageId ?? ev.replayKeys?.at(-1);

/** Body, sender handshakes, filter and mapping. */
export function bodyChecks(t: TriggerContext, kind: 'json' | 'form', req: RequestFacts, ev: Evaluation): void {
  const parsed = parsePayload(kind, req.body);
  if (!parsed.ok) {
    ev.checks.push({ check: 'body', passed: false, detail: parsed.detail });
    ev.refusal = { status: 400, code: 'MALFORMED_BODY', message: parsed.detail };
    return;
  }
  ev.payload = parsed.payload;
  ev.checks.push({ check: 'body', passed: true, detail: 'body parsed' });
  const p = parsed.payload as Record<string, unknown> | null;
  if (t.scheme === 'GITHUB' && req.headers['x-github-event'] === 'ping') {
    ev.reply = { kind: 'github-ping' };
    return;
  }
  if (t.scheme === 'SLACK' && p && typeof p === 'object' && p.type === 'url_verification' && typeof p.challenge === 'string') {
    ev.reply = { kind: 'slack-challenge', challenge: p.challenge };
    return;
  }
  try {
    if (t.filter) {
      const fires = filterMatches(t.filter, parsed.payload);
      ev.checks.push({ check: 'filter', passed: true, detail: fires ? `filter ${t.filter} matched` : `filter ${t.filter} did not match: ignored` });
      if (!fires) {
        ev.ignored = true;
        return;
      }
    }
    ev.inputs = mapInputs(t.inputs, parsed.payload);
    ev.checks.push({ check: 'mapping', passed: true, detail: `mapped ${t.inputs.length} input(s)` });
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    ev.checks.push({ check: err.input === undefined ? 'filter' : 'mapping', passed: false, detail: err.message });
    ev.refusal = { status: 400, code: 'MAPPING_FAILED', message: err.message };
  }
}

/** Stripe's replay id is the event id in the body. */
export function stripeMessageId(payload: unknown): string | undefined {
  const id = (payload as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 255 ? id : undefined;
}
