// The one signer and verifier for every signature scheme (SPEC §5 table), used by the inbound
// route, testTrigger, outbound deliveries and the tests. The signature is always over the exact
// bytes received or sent, never over re-serialized JSON.
import { type KeyObject, createHash, createHmac } from 'node:crypto';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import { isStorableString } from '../platform/storable-string.ts';
import { cachedKey, hmacSha256, safeEqual } from './hmac.ts';

export const SCHEMES = ['STANDARD_WEBHOOKS', 'GITHUB', 'STRIPE', 'SLACK', 'HMAC_SHA256'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface HmacOptions {
  header: string;
  encoding: 'HEX' | 'BASE64';
  prefix?: string | null;
  idHeader?: string | null;
}

/** Lower-cased header names to values (first value for repeated headers). */
export type Headers = Record<string, string | undefined>;

export type VerifyFailure =
  | { ok: false; check: 'signature'; reason: string }
  | { ok: false; check: 'timestamp'; reason: string };

export interface VerifySuccess {
  ok: true;
  /** The sender's own id for the message (webhook-id, X-GitHub-Delivery, the id header), as sent. */
  messageId: string | undefined;
  /**
   * What replay memory remembers (SPEC §5): a request is a replay when any of these was accepted
   * before. An id the signature does not cover (X-GitHub-Delivery, an HMAC id header) is never
   * enough alone, since a replayer may change or drop it: beside it stands the key of the signed
   * bytes.
   */
  replayKeys: string[];
}

export type VerifyResult = VerifySuccess | VerifyFailure;

export interface VerifyInput {
  scheme: Scheme;
  headers: Headers;
  body: Buffer;
  /** Every secret currently valid for the trigger (rotation overlap). */
  secrets: string[];
  toleranceSeconds: number;
  nowSeconds: number;
  hmac?: HmacOptions | null;
}

const standardKeys = new Map<string, KeyObject>();

/** Standard Webhooks: the HMAC key is the base64 part after `whsec_`. */
const standardWebhooksKey = (secret: string): KeyObject =>
  cachedKey(standardKeys, secret, (s) => Buffer.from(s.startsWith('whsec_') ? s.slice('whsec_'.length) : s, 'base64'));

export function signStandardWebhooks(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  // The prefix and the body fed in turn: the same bytes as one buffer, without copying the body per signature.
  return `v1,${createHmac('sha256', standardWebhooksKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

export const signGitHub = (secret: string, body: Buffer | string) => `sha256=${hmacSha256(secret, body).toString('hex')}`;

export const signStripe = (secret: string, timestamp: number, body: Buffer | string) =>
  `t=${timestamp},v1=${hmacSha256(secret, Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)])).toString('hex')}`;

export const signSlack = (secret: string, timestamp: number, body: Buffer | string) =>
  `v0=${hmacSha256(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)])).toString('hex')}`;

export const signHmac = (secret: string, body: Buffer | string, options: Pick<HmacOptions, 'encoding' | 'prefix'>) =>
  `${options.prefix ?? ''}${hmacSha256(secret, body).toString(options.encoding === 'HEX' ? 'hex' : 'base64')}`;

const SIGNED_KEY_PREFIX = 'sha256:';

/**
 * The replay key of a verified request whose id is not signed: the SHA-256 of the bytes the
 * signature covers. It is what every valid form of the signature stands for, so a replay cannot
 * dodge it by another hex case, base64 alphabet or padding, order of several signatures, or by a
 * signature made with the other secret of a rotation overlap.
 */
function signedBytesKey(...parts: Array<Buffer | string>): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return `${SIGNED_KEY_PREFIX}${hash.digest('hex')}`;
}

/** Longest sender id kept as sent, in replay memory and in what inboundDeliveries shows. */
export const MAX_SENDER_ID_LENGTH = 255;

/**
 * The replay key of an id the sender chose. Kept as sent (replay memory written before keeps
 * matching), except a long one, which a btree key could not hold; one that could pass for a
 * signed-bytes key and so shadow a message not sent yet; and one PostgreSQL cannot store as it is
 * (a NUL, or an unpaired surrogate, stored as U+FFFD and so matching another id). Those are hashed
 * under their own prefix, the last over their UTF-16 code units, so that no two ids meet.
 */
export function senderIdKey(id: string): string {
  if (id.length <= MAX_SENDER_ID_LENGTH && !id.startsWith(SIGNED_KEY_PREFIX) && isStorableString(id)) return id;
  const bytes = id.isWellFormed() ? Buffer.from(id, 'utf8') : Buffer.from(id, 'utf16le');
  return `id:${sha256Hex(bytes)}`;
}

const fail = (check: 'signature' | 'timestamp', reason: string): VerifyFailure => ({ ok: false, check, reason });

function checkTimestamp(raw: string | undefined, header: string, input: VerifyInput): VerifyFailure | number {
  if (raw === undefined || raw === '') return fail('timestamp', `missing ${header} header`);
  if (!/^\d{1,12}$/.test(raw.trim())) return fail('timestamp', `${header} is not a Unix timestamp in seconds`);
  const ts = Number(raw.trim());
  const age = input.nowSeconds - ts;
  if (age > input.toleranceSeconds) return fail('timestamp', `timestamp ${age} s old; the window is ±${input.toleranceSeconds} s`);
  if (-age > input.toleranceSeconds) return fail('timestamp', `timestamp ${-age} s in the future; the window is ±${input.toleranceSeconds} s`);
  return ts;
}

const mismatch = (what: string) =>
  fail('signature', `${what} does not match: the signature was computed over different bytes or with another secret (sign the raw body exactly as sent; middleware that re-encodes JSON breaks it)`);

function decodeHex(value: string): Buffer | undefined {
  return /^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0 ? Buffer.from(value, 'hex') : undefined;
}

/** A verified request whose id header is not signed: the id counts, and so do the signed bytes. */
function unsignedId(id: string | undefined, signed: string): VerifySuccess {
  return id ? { ok: true, messageId: id, replayKeys: [senderIdKey(id), signed] } : { ok: true, messageId: undefined, replayKeys: [signed] };
}

function verifyStandardWebhooks(input: VerifyInput): VerifyResult {
  const { headers, body, secrets } = input;
  const id = headers['webhook-id'];
  const sig = headers['webhook-signature'];
  if (!id) return fail('signature', 'missing webhook-id header');
  if (!sig) return fail('signature', 'missing webhook-signature header');
  const ts = checkTimestamp(headers['webhook-timestamp'], 'webhook-timestamp', input);
  if (typeof ts !== 'number') return ts;
  const given = sig.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  if (given.length === 0) return fail('signature', 'webhook-signature has no v1,<base64> value');
  const message = Buffer.concat([Buffer.from(`${id}.${ts}.`), body]);
  const ok = secrets.some((s) => {
    const expected = hmacSha256(standardWebhooksKey(s), message);
    return given.some((g) => safeEqual(g, expected));
  });
  return ok ? { ok: true, messageId: id, replayKeys: [senderIdKey(id)] } : mismatch('webhook-signature');
}

function verifyGitHub({ headers, body, secrets }: VerifyInput): VerifyResult {
  const sig = headers['x-hub-signature-256'];
  if (!sig) return fail('signature', 'missing X-Hub-Signature-256 header');
  const given = sig.startsWith('sha256=') ? decodeHex(sig.slice(7)) : undefined;
  if (!given) return fail('signature', 'X-Hub-Signature-256 is not sha256=<hex>');
  const ok = secrets.some((s) => safeEqual(given, hmacSha256(s, body)));
  if (!ok) return mismatch('X-Hub-Signature-256');
  return unsignedId(headers['x-github-delivery'], signedBytesKey(body));
}

function verifyStripe(input: VerifyInput): VerifyResult {
  const { headers, body, secrets } = input;
  const header = headers['stripe-signature'];
  if (!header) return fail('signature', 'missing Stripe-Signature header');
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string | undefined]);
  const t = parts.find(([k]) => k === 't')?.[1];
  const ts = checkTimestamp(t, 'Stripe-Signature t=', input);
  if (typeof ts !== 'number') return ts;
  const given = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => decodeHex(v!)).filter((b): b is Buffer => !!b);
  if (given.length === 0) return fail('signature', 'Stripe-Signature has no v1=<hex> value');
  const message = Buffer.concat([Buffer.from(`${ts}.`), body]);
  const ok = secrets.some((s) => {
    const expected = hmacSha256(s, message);
    return given.some((g) => safeEqual(g, expected));
  });
  // Stripe's replay id is the event id in the body, read once the body is parsed
  // (inbound/evaluate.ts); the signed bytes stand in for a body without one.
  return ok ? { ok: true, messageId: undefined, replayKeys: [signedBytesKey(`${ts}.`, body)] } : mismatch('Stripe-Signature');
}

function verifySlack(input: VerifyInput): VerifyResult {
  const { headers, body, secrets } = input;
  const sig = headers['x-slack-signature'];
  if (!sig) return fail('signature', 'missing X-Slack-Signature header');
  const ts = checkTimestamp(headers['x-slack-request-timestamp'], 'X-Slack-Request-Timestamp', input);
  if (typeof ts !== 'number') return ts;
  const given = sig.startsWith('v0=') ? decodeHex(sig.slice(3)) : undefined;
  if (!given) return fail('signature', 'X-Slack-Signature is not v0=<hex>');
  const message = Buffer.concat([Buffer.from(`v0:${ts}:`), body]);
  const ok = secrets.some((s) => safeEqual(given, hmacSha256(s, message)));
  // Slack repeats the same signature on a retry, so what it signs identifies the message.
  return ok ? { ok: true, messageId: undefined, replayKeys: [signedBytesKey(message)] } : mismatch('X-Slack-Signature');
}

function verifyHmac({ headers, body, secrets, hmac: opts }: VerifyInput): VerifyResult {
  if (!opts) return fail('signature', 'trigger has no HMAC header configured');
  const raw = headers[opts.header.toLowerCase()];
  if (!raw) return fail('signature', `missing ${opts.header} header`);
  const prefix = opts.prefix ?? '';
  if (!raw.startsWith(prefix)) return fail('signature', `${opts.header} does not start with "${prefix}"`);
  const value = raw.slice(prefix.length);
  const given = opts.encoding === 'HEX' ? decodeHex(value) : Buffer.from(value, 'base64');
  if (!given || given.length === 0) return fail('signature', `${opts.header} is not ${opts.encoding === 'HEX' ? 'hex' : 'base64'}`);
  const ok = secrets.some((s) => safeEqual(given, hmacSha256(s, body)));
  if (!ok) return mismatch(opts.header);
  return unsignedId(opts.idHeader ? headers[opts.idHeader.toLowerCase()] : undefined, signedBytesKey(body));
}

const VERIFIERS: Record<Scheme, (input: VerifyInput) => VerifyResult> = {
  STANDARD_WEBHOOKS: verifyStandardWebhooks, GITHUB: verifyGitHub, STRIPE: verifyStripe, SLACK: verifySlack, HMAC_SHA256: verifyHmac,
};

export const verify = (input: VerifyInput): VerifyResult => VERIFIERS[input.scheme](input);

/**
 * Which of the secrets a verified request was signed with (its index), for the dry run's report
 * ("resync secrets": which stored secret matched). Each secret is tried alone, so the live path
 * pays nothing for it.
 */
export const matchedSecret = (input: VerifyInput): number => input.secrets.findIndex((s) => VERIFIERS[input.scheme]({ ...input, secrets: [s] }).ok);
