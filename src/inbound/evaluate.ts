// The one inbound check pipeline (SPEC §5), for POST /hooks/{id} and the testTrigger dry run alike:
// once the trigger is known, 413 too large → 415 content type → 403 IP allowlist → 403 client
// certificate (mTLS) → 403 webhook loop → 429 rate limit → 401 signature or timestamp → replay →
// 400 malformed body or mapping, then the sender handshakes and the filter. The first check that
// fails decides. In dry-run mode it counts nothing and remembers nothing: no rate-limit hit, and
// replay memory is only read.
import ipaddr from 'ipaddr.js';
import type pg from 'pg';
import { hit } from '../platform/db/rate-limit.ts';
import type { Services } from '../platform/services.ts';
import type { TlsCredentials } from '../platform/tls-credentials.ts';
import { isStorableString, storableString } from '../platform/storable-string.ts';
import { MAX_HOPS, loopCheck } from '../signing/loop-marker.ts';
import { type Headers, MAX_SENDER_ID_LENGTH, matchedSecret, senderIdKey, verify } from '../signing/schemes.ts';
import { MappingError, filterMatches, mapInputs } from './mapping.ts';
import { type InboundRecord, findReplay } from './record.ts';
import type { TriggerContext } from './trigger-context.ts';

export interface Refusal {
  status: number;
  code: string;
  message: string;
  /** Seconds for a Retry-After header. */
  retryAfter?: number;
}

export type CheckName = 'contentType' | 'ipAllowlist' | 'clientCertificate' | 'loop' | 'signature' | 'replay' | 'body' | 'filter' | 'mapping';

export interface CheckOutcome {
  check: CheckName;
  passed: boolean;
  detail: string;
}

export type SenderReply = { kind: 'github-ping' } | { kind: 'slack-challenge'; challenge: string };

/** What the checks found out on the way, beside the verdict. */
export interface Evaluation {
  /** Each check that ran, in order (the dry run's report). */
  checks: CheckOutcome[];
  /** The gateway hops the request says it has made (signing/loop-marker.ts): its session keeps them. */
  hops?: number;
  /** The sender's id for the message, as sent. */
  messageId?: string;
  /** Replay memory keys (signing/schemes.ts): a replay matches any of them. */
  replayKeys?: string[];
}

/** What the request gets. `recorded`: the refusal writes a delivery and an audit row (from 403 on, but 429). */
export type Verdict =
  | { kind: 'refuse'; refusal: Refusal; recorded: boolean }
  | { kind: 'replay'; first: InboundRecord }
  | { kind: 'handshake'; reply: SenderReply }
  /** `inputs` null: the filter did not match, the request is ignored. Live, it may still turn out a replay when written. */
  | { kind: 'accept'; inputs: Record<string, unknown> | null };

export type CheckMode = 'live' | 'dry-run';

export interface CheckDeps {
  pool: pg.Pool;
  deploymentId: string;
  /** Verifies client certificates against TLS_CLIENT_CA_FILE. */
  tls: TlsCredentials;
  maxBodyBytes: number;
  replayWindowHours: number;
}

/** The checks' settings, alike for /hooks and its dry run. */
export const checkDeps = ({ pool, deploymentId, config, tls }: Pick<Services, 'pool' | 'deploymentId' | 'config' | 'tls'>): CheckDeps =>
  ({ pool, deploymentId, tls, maxBodyBytes: config.inboundMaxBodyBytes, replayWindowHours: config.replayWindowHours });

/**
 * The client certificate that came with a request, as the transport found it: over the gateway's
 * own TLS, or forwarded by a trusted proxy (http/client-certificate.ts). Not yet verified.
 */
export type PresentedCertificate =
  | { kind: 'none'; why: string }
  | { kind: 'presented'; cert: string | Uint8Array; via: string };

export interface InboundRequest {
  headers: Headers;
  body: Buffer;
  /** Unknown in a dry run that was given none: the IP allowlist is then reported as not checked. */
  sourceIp: string | undefined;
  nowSeconds: number;
  /** Asked only when the trigger requires a certificate; undefined in a dry run given none (reported as not checked). */
  clientCertificate: (() => PresentedCertificate) | undefined;
}

export const refusals = {
  notFound: (): Refusal => ({ status: 404, code: 'TRIGGER_NOT_FOUND', message: 'no such trigger' }),
  tooLarge: (limit: number): Refusal => ({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${limit} bytes` }),
  unsupportedMediaType: (): Refusal => ({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json or application/x-www-form-urlencoded' }),
  rateLimited: (limit: number): Refusal => ({ status: 429, code: 'RATE_LIMITED', message: `trigger rate limit of ${limit} requests per second exceeded`, retryAfter: 1 }),
  /** A value PostgreSQL refused when the request was written (inbound/record.ts, UnstorableInput). */
  unstorable: (): Refusal => ({ status: 400, code: 'MALFORMED_BODY', message: 'the request holds a value the gateway cannot store' }),
};

/** Runs the checks on `req` for trigger `t`; see the top of this file. */
export async function evaluateRequest(deps: CheckDeps, t: TriggerContext, req: InboundRequest, mode: CheckMode): Promise<{ verdict: Verdict; ev: Evaluation }> {
  const ev: Evaluation = { checks: [] };
  const refuse = (refusal: Refusal, recorded: boolean) => ({ verdict: { kind: 'refuse', refusal, recorded } as const, ev });
  if (req.body.length > deps.maxBodyBytes) return refuse(refusals.tooLarge(deps.maxBodyBytes), false);
  const kind = contentTypeCheck(req.headers, ev);
  if (!kind) return refuse(refusals.unsupportedMediaType(), false);
  const denied = await sourceChecks(deps, t, req, mode, ev);
  if (denied) return refuse(denied, true);
  if (mode === 'live' && t.rateLimitPerSecond !== null && !(await hit(deps.pool, `trigger:${t.id}`, t.rateLimitPerSecond))) {
    return refuse(refusals.rateLimited(t.rateLimitPerSecond), false);
  }
  const unsigned = signatureCheck(t, req, ev, mode);
  if (unsigned) return refuse(unsigned, true);
  const body = bodyChecks(t, kind, req);
  if (t.scheme === 'STRIPE') stripeReplayKey(kind, body.payload, ev);
  const first = await replayCheck(deps, t, ev, mode, body.verdict.kind === 'refuse');
  if (first) return { verdict: { kind: 'replay', first }, ev };
  ev.checks.push(...body.checks);
  return { verdict: body.verdict, ev };
}

function contentKind(contentType: string | undefined): 'json' | 'form' | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

function contentTypeCheck(headers: Headers, ev: Evaluation): 'json' | 'form' | undefined {
  const kind = contentKind(headers['content-type']);
  ev.checks.push(kind
    ? { check: 'contentType', passed: true, detail: kind === 'json' ? 'JSON body' : 'form-encoded body' }
    : { check: 'contentType', passed: false, detail: `content type "${storableString(headers['content-type'] ?? '', 200)}" is not application/json or application/x-www-form-urlencoded` });
  return kind;
}

function ipAllowed(allowlist: string[], ip: string | undefined): boolean {
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

/**
 * The 403s: the IP allowlist, the client certificate, then the webhook loop marker (SPEC §15),
 * which refuses what this deployment sent itself, or a request past the hop limit, before any
 * signature is computed.
 */
async function sourceChecks(deps: CheckDeps, t: TriggerContext, req: InboundRequest, mode: CheckMode, ev: Evaluation): Promise<Refusal | undefined> {
  if (mode === 'dry-run' && req.sourceIp === undefined && t.ipAllowlist.length > 0) {
    // Without a source address the allowlist cannot be judged; the dry run says so rather than refuse.
    ev.checks.push({ check: 'ipAllowlist', passed: true, detail: 'not checked: no sourceIp given' });
  } else if (!ipAllowed(t.ipAllowlist, req.sourceIp)) {
    ev.checks.push({ check: 'ipAllowlist', passed: false, detail: `source address ${storableString(req.sourceIp ?? 'unknown', 100)} is not in the allowlist` });
    return { status: 403, code: 'IP_NOT_ALLOWED', message: 'source address not allowed for this trigger' };
  } else {
    ev.checks.push({ check: 'ipAllowlist', passed: true, detail: t.ipAllowlist.length === 0 ? 'no allowlist' : `${req.sourceIp} is allowed` });
  }
  const problem = await certificateProblem(deps.tls, t, req, ev);
  if (problem) {
    ev.checks.push({ check: 'clientCertificate', passed: false, detail: problem });
    return { status: 403, code: 'CLIENT_CERTIFICATE_REQUIRED', message: `this trigger requires a client certificate from a CA the gateway trusts: ${problem}` };
  }
  const loop = loopCheck(req.headers, deps.deploymentId);
  if (loop.problem) {
    ev.checks.push({ check: 'loop', passed: false, detail: loop.problem });
    return { status: 403, code: 'WEBHOOK_LOOP', message: loop.problem };
  }
  ev.hops = loop.hops;
  ev.checks.push({ check: 'loop', passed: true, detail: ev.hops === 0 ? 'not marked as a gateway hop' : `gateway hop ${ev.hops} of at most ${MAX_HOPS}` });
  return undefined;
}

/**
 * SPEC §5 mTLS: a certificate that chains to TLS_CLIENT_CA_FILE, valid now, matching the trigger's
 * pins. Returns why not, or undefined (and records the passed check).
 */
async function certificateProblem(tls: TlsCredentials, t: TriggerContext, req: InboundRequest, ev: Evaluation): Promise<string | undefined> {
  const pins = t.clientCertificate;
  const passed = (detail: string) => void ev.checks.push({ check: 'clientCertificate', passed: true, detail });
  if (!pins) return passed('no client certificate required');
  if (!req.clientCertificate) return passed('not checked: no clientCertificatePem given');
  if (!tls.verifiesClients) return 'the gateway has no TLS_CLIENT_CA_FILE to verify client certificates with';
  const presented = req.clientCertificate();
  if (presented.kind === 'none') return presented.why;
  const verdict = await tls.verifyClient(presented.cert, new Date(req.nowSeconds * 1000));
  if (!verdict.ok) return storableString(`the certificate ${presented.via} ${verdict.info ? `(subject "${verdict.info.subject}") ` : ''}was refused: ${verdict.reason}`, 1000);
  const { subject, fingerprintSha256 } = verdict.info;
  if (pins.subject !== null && subject !== pins.subject) return storableString(`the certificate's subject "${subject}" is not the one this trigger requires`, 1000);
  if (pins.fingerprintSha256 !== null && fingerprintSha256 !== pins.fingerprintSha256) return `the certificate's SHA-256 fingerprint ${fingerprintSha256} is not the one this trigger requires`;
  return passed(storableString(`certificate "${subject}" (SHA-256 ${fingerprintSha256}) ${presented.via} verified${pins.subject || pins.fingerprintSha256 ? ' and matches the pins' : ''}`, 1000));
}

/** The signature and timestamp, then the message id and replay keys they vouch for. */
function signatureCheck(t: TriggerContext, req: InboundRequest, ev: Evaluation, mode: CheckMode): Refusal | undefined {
  const input = { scheme: t.scheme, headers: req.headers, body: req.body, secrets: t.secrets, toleranceSeconds: t.toleranceSeconds, nowSeconds: req.nowSeconds, hmac: t.hmac };
  const result = verify(input);
  if (!result.ok) {
    ev.checks.push({ check: 'signature', passed: false, detail: result.reason });
    return result.check === 'timestamp'
      ? { status: 401, code: 'TIMESTAMP_OUT_OF_WINDOW', message: result.reason }
      : { status: 401, code: 'INVALID_SIGNATURE', message: 'signature verification failed' };
  }
  ev.checks.push({ check: 'signature', passed: true, detail: `${t.scheme} signature verified${mode === 'dry-run' ? withSecret(t, matchedSecret(input)) : ''}` });
  ev.messageId = result.messageId;
  ev.replayKeys = result.replayKeys;
  return undefined;
}

/** The dry run names the stored secret that matched: the current one, or one still in its overlap. */
function withSecret(t: TriggerContext, i: number): string {
  if (i < 0) return '';
  return i === 0 ? ` with the current secret (${t.secretIds[0]})` : ` with an older secret still in its overlap (${t.secretIds[i]})`;
}

/** Stripe's replay id is the event id in the signed body; the signed bytes stand in without one. */
function stripeReplayKey(kind: 'json' | 'form', payload: unknown, ev: Evaluation): void {
  const id = kind === 'json' ? stripeMessageId(payload) : undefined;
  if (id === undefined) return;
  ev.messageId = id;
  ev.replayKeys = [senderIdKey(id)];
}

function stripeMessageId(payload: unknown): string | undefined {
  const id = (payload as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_SENDER_ID_LENGTH ? id : undefined;
}

/**
 * Replay, before the body's 400 (SPEC §5): a retry of an accepted message gets its first answer even
 * when its body would now be refused. Live, an accepted request's replay is settled by the commit
 * that records it (replay memory's primary key decides between concurrent duplicates, at no extra
 * round trip), so memory is read here only for a request the body checks refuse. The dry run reads
 * it always, and writes nothing.
 */
async function replayCheck(deps: CheckDeps, t: TriggerContext, ev: Evaluation, mode: CheckMode, bodyRefused: boolean): Promise<InboundRecord | undefined> {
  const keys = ev.replayKeys ?? [];
  if (keys.length === 0 || (mode === 'live' && !bodyRefused)) return undefined;
  const first = await findReplay(deps.pool, t, keys, deps.replayWindowHours);
  ev.checks.push(first
    ? { check: 'replay', passed: true, detail: `message id already accepted as ${first.deliveryId}: the answer would repeat it and start no session` }
    : { check: 'replay', passed: true, detail: 'message id not seen before' });
  return first;
}

/**
 * What inboundDeliveries shows as the message id: the sender's id as sent when it is short storable
 * text, else its replay key (which is what replay memory holds); without one, the signed bytes' key.
 */
export function shownMessageId(ev: Evaluation): string | undefined {
  const id = ev.messageId;
  if (id === undefined) return ev.replayKeys?.at(-1);
  return id.length <= MAX_SENDER_ID_LENGTH && isStorableString(id) ? id : senderIdKey(id);
}

function parsePayload(kind: 'json' | 'form', body: Buffer): { ok: true; payload: unknown } | { ok: false; detail: string } {
  const text = body.toString('utf8');
  // JSON.parse's messages quote the bytes around the fault, NULs included: refusals are stored.
  const refused = (what: string, err: unknown) => ({ ok: false as const, detail: storableString(`${what} is not valid JSON: ${(err as Error).message}`, 500) });
  if (kind === 'json') {
    try {
      return { ok: true, payload: JSON.parse(text) };
    } catch (err) {
      return refused('body', err);
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
    return refused('form field "payload"', err);
  }
}

interface BodyOutcome {
  checks: CheckOutcome[];
  payload?: unknown;
  verdict: Verdict;
}

/** Body, sender handshakes, filter and mapping. Pure: reported after the replay check. */
function bodyChecks(t: TriggerContext, kind: 'json' | 'form', req: Pick<InboundRequest, 'headers' | 'body'>): BodyOutcome {
  const parsed = parsePayload(kind, req.body);
  if (!parsed.ok) {
    const refusal = { status: 400, code: 'MALFORMED_BODY', message: parsed.detail };
    return { checks: [{ check: 'body', passed: false, detail: parsed.detail }], verdict: { kind: 'refuse', refusal, recorded: true } };
  }
  const payload = parsed.payload;
  const checks: CheckOutcome[] = [{ check: 'body', passed: true, detail: 'body parsed' }];
  const reply = senderReply(t, req.headers, payload);
  if (reply) return { checks, payload, verdict: { kind: 'handshake', reply } };
  try {
    if (t.filter) {
      const fires = filterMatches(t.filter, payload);
      checks.push({ check: 'filter', passed: true, detail: fires ? `filter ${t.filter} matched` : `filter ${t.filter} did not match: ignored` });
      if (!fires) return { checks, payload, verdict: { kind: 'accept', inputs: null } };
    }
    const inputs = mapInputs(t.inputs, payload);
    checks.push({ check: 'mapping', passed: true, detail: `mapped ${t.inputs.length} input(s)` });
    return { checks, payload, verdict: { kind: 'accept', inputs } };
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    checks.push({ check: err.input === undefined ? 'filter' : 'mapping', passed: false, detail: err.message });
    return { checks, payload, verdict: { kind: 'refuse', refusal: { status: 400, code: 'MAPPING_FAILED', message: err.message }, recorded: true } };
  }
}

/** GitHub's ping and Slack's url_verification, answered as those senders expect. */
function senderReply(t: TriggerContext, headers: Headers, payload: unknown): SenderReply | undefined {
  const p = payload as Record<string, unknown> | null;
  if (t.scheme === 'GITHUB' && headers['x-github-event'] === 'ping') return { kind: 'github-ping' };
  if (t.scheme === 'SLACK' && p && typeof p === 'object' && p.type === 'url_verification' && typeof p.challenge === 'string') {
    return { kind: 'slack-challenge', challenge: p.challenge };
  }
  return undefined;
}
