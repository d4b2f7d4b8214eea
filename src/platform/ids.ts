// Public ids (SPEC §4): a type prefix, then 26 characters: 10 of time (ms, Crockford base32, so ids
// sort by creation and make stable pagination cursors) and 16 of randomness (80 bits).
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

export function newId(kind: IdKind, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = random16();
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${ID_PREFIXES[kind]}_${time}${rand}`;
}

const KIND_BY_PREFIX = new Map<string, IdKind>(Object.entries(ID_PREFIXES).map(([kind, prefix]) => [prefix, kind as IdKind]));

/** The kind an id names, or undefined when it is not one of ours. */
export function idKind(id: string): IdKind | undefined {
  const match = /^([a-z]{3})_[0-9a-hjkmnp-tv-z]{26}$/.exec(id);
  return match ? KIND_BY_PREFIX.get(match[1]!) : undefined;
}
