// Cases for POST /hooks/{id}: bodies (random and nasty JSON, invalid UTF-8, binary, empty, over the
// limit, forms), content types, signature and timestamp headers per scheme (valid, stale, forged,
// malformed, repeated), unknown triggers, and raw bytes that break HTTP framing.
import { signGitHub, signHmac, signSlack, signStandardWebhooks, signStripe } from '../../src/signing/schemes.ts';
import { type FuzzCase, type HttpCase, type Rng, rawRequest } from './fuzz-kit.ts';

const LIMIT = 1024 * 1024; // INBOUND_MAX_BODY_BYTES's default

export type Scheme = 'STANDARD_WEBHOOKS' | 'GITHUB' | 'STRIPE' | 'SLACK' | 'HMAC_SHA256';
export interface Target {
  name: string;
  id: string;
  secret: string;
  scheme: Scheme;
  hmac?: { header: string; encoding: 'HEX' | 'BASE64'; prefix?: string; idHeader?: string };
}

export const TRIGGERS: Array<Omit<Target, 'id' | 'secret'> & { input: Record<string, unknown> }> = [
  { name: 'std-mapped', scheme: 'STANDARD_WEBHOOKS', input: { inputs: [
    { name: 'n', path: '$.a.n', type: 'NUMBER', required: false },
    { name: 'ids', path: '$.items[*].id', type: 'ARRAY', required: false },
    { name: 'title', path: '$.title', type: 'STRING', required: false, defaultValue: '' },
    { name: 'obj', path: '$.obj', type: 'OBJECT', required: false },
  ] } },
  { name: 'std-strict', scheme: 'STANDARD_WEBHOOKS', input: { filter: "$[?(@.action == 'opened')]", inputs: [
    { name: 'n', path: '$.a.n', type: 'NUMBER' },
    { name: 'flag', path: '$.flag', type: 'BOOLEAN' },
  ] } },
  { name: 'github', scheme: 'GITHUB', input: { inputs: [{ name: 'repo', path: '$.repository.full_name', required: false }] } },
  { name: 'stripe', scheme: 'STRIPE', input: {} },
  { name: 'slack', scheme: 'SLACK', input: {} },
  { name: 'hmac-b64', scheme: 'HMAC_SHA256', hmac: { header: 'x-signature', encoding: 'BASE64', prefix: 'sha256=', idHeader: 'x-request-id' }, input: {} },
  { name: 'hmac-hex', scheme: 'HMAC_SHA256', hmac: { header: 'x-sig', encoding: 'HEX' }, input: {} },
  { name: 'rate-limited', scheme: 'STANDARD_WEBHOOKS', input: { rateLimitPerSecond: 5 } },
  { name: 'allowlisted', scheme: 'GITHUB', input: { ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] } },
  { name: 'disabled', scheme: 'STANDARD_WEBHOOKS', input: { enabled: false } },
];

// ---- bodies ----------------------------------------------------------------------------------

const WEIRD_NUMBERS = ['0', '-0', '1e308', '1e999', '-1e-999', '123456789012345678901234567890', '0.1', '-1', '9007199254740993', '1E+2'];

function jsonValue(rng: Rng, depth: number): string {
  const kind = depth <= 0 ? rng.int(4) : rng.int(7);
  switch (kind) {
    case 0: return rng.pick(WEIRD_NUMBERS);
    case 1: return JSON.stringify(rng.unicode(rng.size(40)));
    case 2: return rng.pick(['true', 'false', 'null']);
    case 3: return `"\\u${rng.pick(['d800', 'dfff', '0000', 'ffff', 'fffe', '001f'])}${rng.text(rng.int(5))}"`;
    case 4: return `[${Array.from({ length: rng.size(6) }, () => jsonValue(rng, depth - 1)).join(',')}]`;
    default: {
      const keys = ['a', 'n', 'id', 'items', 'title', 'obj', 'action', 'flag', '__proto__', 'constructor', 'prototype', '', '$', '@', '..', 'toString'];
      const entries = Array.from({ length: rng.size(6) }, () => `${JSON.stringify(rng.chance(0.7) ? rng.pick(keys) : rng.unicode(rng.size(12)))}:${jsonValue(rng, depth - 1)}`);
      return `{${entries.join(',')}}`;
    }
  }
}

/** Shapes the mappings and filters look at, with values of every type. */
function mappedShape(rng: Rng): string {
  const v = () => jsonValue(rng, 2);
  return `{"action":${rng.chance(0.6) ? '"opened"' : v()},"a":{"n":${rng.chance(0.5) ? String(rng.int(1000)) : v()}},"flag":${rng.chance(0.5) ? 'true' : v()},` +
    `"items":${rng.chance(0.5) ? `[${Array.from({ length: rng.size(50) }, () => `{"id":${v()}}`).join(',')}]` : v()},"title":${v()},"obj":${v()},` +
    `"repository":{"full_name":${v()}},"id":${rng.chance(0.5) ? `"evt_${rng.text(12)}"` : v()},"type":${v()}}`;
}

function nastyJson(rng: Rng): Buffer {
  switch (rng.int(12)) {
    case 0: { const n = rng.size(200_000); return Buffer.from('['.repeat(n) + ']'.repeat(rng.chance(0.8) ? n : rng.int(n))); }
    case 1: { const n = rng.size(100_000); return Buffer.from('{"a":'.repeat(n) + '1' + '}'.repeat(n)); }
    case 2: return Buffer.from(`{"title":${JSON.stringify('x'.repeat(rng.size(900_000)))}}`);
    case 3: return Buffer.from(`{${Array.from({ length: rng.size(60_000) }, (_, i) => `"k${i}":${i}`).join(',')}}`);
    case 4: return Buffer.from(`{"items":[${Array.from({ length: rng.size(100_000) }, (_, i) => `{"id":${i}}`).join(',')}]}`);
    case 5: return Buffer.from(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":{"__proto__":{"n":1}}}`);
    case 6: return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(mappedShape(rng))]);
    case 7: return Buffer.concat([Buffer.from('{"title":"'), rng.bytes(rng.size(2000)), Buffer.from('","a":{"n":1}}')]);
    case 8: return Buffer.from(`${mappedShape(rng)}${rng.pick(['garbage', ',', '}', ' {}', '\u0000', '\n\n[]'])}`);
    case 9: return Buffer.from(mappedShape(rng).slice(0, rng.int(200)));
    case 10: return Buffer.from(`{"a":{"n":${rng.pick(['NaN', 'Infinity', '-Infinity', '0x10', '1_000', '.5', '+1', '01'])}}}`);
    default: return Buffer.from(`{"a":1,"a":2,"a":{"n":3},"items":[],"items":{"id":1}}`);
  }
}

function formBody(rng: Rng): Buffer {
  switch (rng.int(5)) {
    case 0: return Buffer.from(`payload=${encodeURIComponent(mappedShape(rng))}`);
    case 1: return Buffer.from(`payload=${encodeURIComponent(nastyJson(rng).toString('latin1').slice(0, 100_000))}`);
    case 2: return Buffer.from(Array.from({ length: rng.size(5000) }, () => `${rng.text(rng.size(8))}=${rng.text(rng.size(20))}`).join('&'));
    case 3: return Buffer.from(rng.pick(['payload=%zz', 'payload=%', '%%%', '&&&&', 'payload', 'payload=&payload=1', `payload=${'%7B'.repeat(rng.size(50_000))}`]));
    default: return Buffer.concat([Buffer.from('payload='), rng.bytes(rng.size(3000))]);
  }
}

function body(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [30, () => Buffer.from(mappedShape(rng))],
    [15, () => Buffer.from(jsonValue(rng, 4))],
    [20, () => nastyJson(rng)],
    [8, () => formBody(rng)],
    [6, () => rng.bytes(rng.size(5000))],
    [4, () => Buffer.alloc(0)],
    [3, () => Buffer.from(`{"type":"url_verification","challenge":${rng.chance(0.5) ? JSON.stringify(rng.text(rng.size(100))) : jsonValue(rng, 2)},"token":"t"}`)],
    [3, () => Buffer.from(`{"zen":"Keep it logically awesome.","hook_id":${rng.int(1e9)},"hook":${jsonValue(rng, 2)}}`)],
    [1, () => Buffer.alloc(LIMIT + 1 + rng.size(200_000), 0x20)],
  ])();
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/vnd.github+json',
  'application/x-www-form-urlencoded', 'text/plain', '', 'multipart/form-data; boundary=x', 'application/json, text/plain', 'application/json;;;;=',
  'application/*', '*/*', 'application/jsonx', 'application/ json',
];

// ---- signatures --------------------------------------------------------------------------------

type Mode = 'valid' | 'stale' | 'future' | 'wrong-secret' | 'mangled' | 'garbage' | 'missing' | 'repeated';
const GARBAGE_TS = ['', 'abc', '1e9', '-5', '99999999999999999999', ' 123 ', '0x10', '1.5', '٣٤٥', '0'];
const garbageValue = (rng: Rng) =>
  rng.weighted<() => string>([[3, () => rng.text(rng.size(200))], [2, () => rng.text(rng.size(8000), 'abcdef0123456789=,; v')], [1, () => rng.unicode(rng.size(50)).replace(/[^\x20-\x7e\x80-\xff]/g, '?')], [1, () => '']])();

function signedHeaders(rng: Rng, t: Target, payload: Buffer, mode: Mode): Record<string, string | string[]> {
  const now = Math.floor(Date.now() / 1000);
  const ts = mode === 'stale' ? now - 301 - rng.size(1e6) : mode === 'future' ? now + 301 + rng.size(1e6) : mode === 'garbage' ? Number.NaN : now;
  const tsText = Number.isNaN(ts) ? rng.pick(GARBAGE_TS) : String(ts);
  const secret = mode === 'wrong-secret' ? `whsec_${Buffer.from(rng.text(32)).toString('base64')}` : t.secret;
  const messageId = rng.weighted<() => string>([[8, () => `msg_${rng.text(20)}`], [1, () => ''], [1, () => rng.text(rng.size(3000))]])();
  const sign = (): string => {
    const tsNum = Number.isNaN(ts) ? now : ts;
    switch (t.scheme) {
      case 'STANDARD_WEBHOOKS': return signStandardWebhooks(secret, messageId, tsNum, payload);
      case 'GITHUB': return signGitHub(secret, payload);
      case 'STRIPE': return signStripe(secret, tsNum, payload);
      case 'SLACK': return signSlack(secret, tsNum, payload);
      default: return signHmac(secret, payload, { encoding: t.hmac!.encoding, prefix: t.hmac!.prefix ?? null });
    }
  };
  let signature = mode === 'missing' ? undefined : mode === 'garbage' && rng.chance(0.5) ? garbageValue(rng) : sign();
  if (signature !== undefined && mode === 'mangled') {
    signature = rng.weighted<() => string>([
      [2, () => signature!.slice(0, rng.int(signature!.length))],
      [2, () => `${signature!.slice(0, -2)}${rng.text(2)}`],
      [1, () => signature!.replace(/[=,]/g, rng.pick([' ', ';', '==', '']))],
      [1, () => Array.from({ length: rng.size(2000) }, () => signature).join(rng.pick([' ', ',', ', ']))],
      [1, () => signature!.toUpperCase()],
      [1, () => `${rng.pick(['v2,', 'sha1=', 'v1=', 'v0=', 't=1,'])}${signature}`],
    ])();
  }
  const headers: Record<string, string | string[]> = {};
  const put = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    headers[name] = mode === 'repeated' ? [value, rng.chance(0.5) ? value : garbageValue(rng)] : value;
  };
  switch (t.scheme) {
    case 'STANDARD_WEBHOOKS':
      put('webhook-id', messageId);
      put('webhook-timestamp', tsText);
      put('webhook-signature', signature);
      break;
    case 'GITHUB':
      put('x-hub-signature-256', signature);
      put('x-github-delivery', messageId);
      put('x-github-event', rng.pick(['pull_request', 'ping', 'push', '', rng.text(rng.size(300))]));
      break;
    case 'STRIPE':
      put('stripe-signature', signature === undefined ? undefined : mode === 'garbage' ? signature : signature.replace(/^t=\d+/, `t=${tsText}`));
      break;
    case 'SLACK':
      put('x-slack-request-timestamp', tsText);
      put('x-slack-signature', signature);
      break;
    default:
      put(t.hmac!.header, signature);
      if (t.hmac!.idHeader) put(t.hmac!.idHeader, messageId);
  }
  return headers;
}

function extraHeaders(rng: Rng): Record<string, string | string[]> {
  const extra: Record<string, string | string[]> = {};
  for (let i = rng.size(40); i > 0; i--) extra[`x-${rng.text(rng.size(30) + 1).toLowerCase()}`] = garbageValue(rng);
  if (rng.chance(0.1)) extra['x-forwarded-for'] = rng.pick(['1.2.3.4', '10.0.0.1, 127.0.0.1', 'garbage', '::1', `${'1.'.repeat(500)}1`]);
  if (rng.chance(0.05)) extra['content-encoding'] = rng.pick(['gzip', 'br', 'deflate', 'identity', 'x']);
  if (rng.chance(0.05)) extra.forwarded = rng.pick(['for=1.2.3.4', 'for="[::1]";proto=https', 'for=unknown', ';;;', `for=${'x'.repeat(3000)}`]);
  return extra;
}

// ---- the case generator ------------------------------------------------------------------------

const percentEncoded = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

export function makeCase(rng: Rng, targets: Target[]): FuzzCase {
  const targetKind = rng.weighted<'known' | 'unknown'>([[92, 'known'], [8, 'unknown']]);
  const t = targetKind === 'known' ? rng.pick(targets) : undefined;
  const path = t
    ? `/hooks/${t.id}`
    : `/hooks/${rng.pick([`trg_${rng.text(26)}`, rng.text(rng.size(5000)), '..%2f..%2fetc%2fpasswd', '%00', '%ff%fe', percentEncoded(rng.bytes(rng.size(60))), 'trg_', `${targets[0]!.id}%00`, `${targets[0]!.id}/x`])}`;
  const payload = body(rng);
  const mode = rng.weighted<Mode>([[40, 'valid'], [8, 'stale'], [4, 'future'], [12, 'wrong-secret'], [14, 'mangled'], [10, 'garbage'], [7, 'missing'], [5, 'repeated']]);
  const headers: Record<string, string | string[]> = {
    ...(t ? signedHeaders(rng, t, payload, mode) : {}),
    ...extraHeaders(rng),
  };
  const contentType = rng.chance(0.7) ? (payload[0] === 0x70 ? 'application/x-www-form-urlencoded' : 'application/json') : rng.pick(CONTENT_TYPES);
  if (contentType !== '' || rng.chance(0.5)) headers['content-type'] = rng.chance(0.03) ? [contentType, rng.pick(CONTENT_TYPES)] : contentType;
  const label = `${t?.name ?? 'unknown-trigger'} ${mode}`;
  // What an HTTP client refuses to send (control or non-Latin-1 characters in a value) goes raw.
  const sendable = Object.values(headers).flat().every((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v));
  if (!sendable || rng.chance(0.12)) return rawRequest(rng, label, 'POST', path, headers, payload);
  const c: HttpCase = { kind: 'http', label, method: 'POST', path, headers, body: payload };
  return c;
}

