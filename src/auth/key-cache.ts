// Bearer keys and console sessions, remembered per process (SPEC §15) so that a request costs no
// key query in the common case: an entry lives at most KEY_TTL_MS; a revocation drops it at once
// on this replica (announceRevoked's local message) and within NOTIFY latency on the others; a
// reconnect of the LISTEN connection drops them all (notifications sent meanwhile are lost); and
// a console session's end is checked on every hit.
import type { Services } from '../platform/services.ts';
import type { Principal } from './principal.ts';

/** SPEC §15: the TTL backstop of every cache of keys and sessions. */
export const KEY_TTL_MS = 5000;
/** Entries kept at most: a flood of distinct valid keys cannot grow the process without bound. */
const MAX_ENTRIES = 10_000;

/** A live key as the database answers it: its principal, and when a console session ends. */
export interface LiveKey {
  principal: Principal;
  endsAt: Date | null;
}

interface Entry extends LiveKey {
  until: number;
}

export class KeyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #counted: ((result: 'hit' | 'miss') => void) | undefined;
  /**
   * Bumped by every revocation and flush: a lookup that started before one may have read the key
   * as it was, so its answer serves its own request but is not kept.
   */
  #generation = 0;

  constructor(counted?: (result: 'hit' | 'miss') => void) {
    this.#counted = counted;
  }

  /** The live key whose hash this is, from memory or from `load`; undefined for none. */
  async get(hash: string, load: (hash: string) => Promise<LiveKey | undefined>): Promise<Principal | undefined> {
    const now = Date.now();
    const hit = this.#entries.get(hash);
    if (hit && hit.until > now && (hit.endsAt === null || hit.endsAt.getTime() > now)) {
      this.#counted?.('hit');
      return hit.principal;
    }
    this.#counted?.('miss');
    const generation = this.#generation;
    const found = await load(hash);
    if (!found) {
      this.#entries.delete(hash);
      return undefined;
    }
    if (generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(hash, { ...found, until: now + KEY_TTL_MS });
    }
    return found.principal;
  }

  revoke(keyId: string): void {
    this.#generation++;
    for (const [hash, entry] of this.#entries) if (entry.principal.keyId === keyId) this.#entries.delete(hash);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

const caches = new WeakMap<Services['realtime'], KeyCache>();

/** The process's cache, kept beside its realtime connection, which keeps it fresh. */
export function keyCache(services: Pick<Services, 'realtime' | 'metrics'>): KeyCache {
  let cache = caches.get(services.realtime);
  if (!cache) {
    const made = new KeyCache((result) => services.metrics.keyLookups.inc({ result }));
    services.realtime.onTopic('apikey.revoked', (_workspaceId, data) => made.revoke((data as { keyId: string }).keyId));
    services.realtime.onReconnect(() => made.clear());
    caches.set(services.realtime, made);
    cache = made;
  }
  return cache;
}
