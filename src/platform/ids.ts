// Public ids (SPEC §4): a type prefix, then 26 characters: 10 of time (ms, Crockford base32, so ids
// sort by creation and make stable pagination cursors) and 16 of randomness (80 bits). Deliveries
// a fan-out statement mints together share 9 random characters and count in the last 7
// (events/outbox.ts deliveryIdStem).
import { randomFillSync } from 'node:crypto';

export const ID_PREFIXES = {
  workspace: 'wsp',
  apiKey: 'key',
  consoleLink: 'csl',
  trigger: 'trg',
  triggerSecret: 'tsk',
  subscription: 'sub',
  subscriptionSecret: 'ssk',
  event: 'evt',
  delivery: 'dlv',
  inboundDelivery: 'ind',
  session: 'ses',
  auditEntry: 'aud',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 256 ids instead of one each
// (it showed in the /hooks profile).
const pool = Buffer.alloc(4096);
let offset = pool.length;
function random16(): Buffer {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += 16;
  return pool.subarray(offset - 16, offset);
}

function encodeTime(ms: number): string {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

export function newId(kind: IdKind, now = Date.now()): string {
  const bytes = random16();
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${rand}`;
}

/**
 * An id for a row whose key is a number (webhook_audit's bigserial): the same 26 characters, the
 * last 16 being the number in base32 (80 bits hold any bigint), zero-padded so ids still sort by
 * (time, number). `idParts` reads both back.
 */
export function idForNumber(kind: IdKind, timeMs: number, value: bigint): string {
  if (value < 0n) throw new RangeError('idForNumber: negative value');
  let digits = '';
  let v = value;
  for (let i = 0; i < 16; i++) {
    digits = ALPHABET[Number(v % 32n)] + digits;
    v /= 32n;
  }
  return `${ID_PREFIXES[kind]}_${encodeTime(timeMs)}${digits}`;
}

/** The time and the number an id made by `idForNumber` carries; undefined when `id` is not one. */
export function idParts(id: string): { timeMs: number; value: bigint } | undefined {
  if (idKind(id) === undefined) return undefined;
  const body = id.slice(4);
  let timeMs = 0;
  for (const c of body.slice(0, 10)) timeMs = timeMs * 32 + ALPHABET.indexOf(c);
  let value = 0n;
  for (const c of body.slice(10)) value = value * 32n + BigInt(ALPHABET.indexOf(c));
  return { timeMs, value };
}

const KIND_BY_PREFIX = new Map<string, IdKind>(Object.entries(ID_PREFIXES).map(([kind, prefix]) => [prefix, kind as IdKind]));

/** The kind an id names, or undefined when it is not one of ours. */
export function idKind(id: string): IdKind | undefined {
  const match = /^([a-z]{3})_[0-9a-hjkmnp-tv-z]{26}$/.exec(id);
  return match ? KIND_BY_PREFIX.get(match[1]!) : undefined;
}
