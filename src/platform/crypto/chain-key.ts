// The audit chain's HMAC key (SPEC §9): derived from MASTER_KEY with HKDF, held by the gateway
// process only. Never sent to PostgreSQL: a key in a statement would sit in its logs.
import { type KeyObject, createHmac, createSecretKey, hkdfSync } from 'node:crypto';

/** Version 0 names the rows chained with plain SHA-256 before the keyed chain. */
export const UNKEYED_VERSION = 0;

/** The HMAC keys this process can check, by version; it writes with the newest. */
export class ChainKeyring {
  // KeyObjects: from raw bytes Node rebuilds the key on every createHmac (signing/hmac.ts), which
  // measured as much CPU as the rest of an outbound attempt's audit row.
  readonly #keys = new Map<number, KeyObject>();
  readonly current: number;

  /** `masterKeys[i]` is the master key of version i + 1; the last one signs. */
  constructor(masterKeys: Buffer[]) {
    if (masterKeys.length === 0) throw new Error('the audit chain needs a master key');
    masterKeys.forEach((master, i) => {
      // A fixed label: this key can only ever be derived for the audit chain, never collide with
      // the cipher's or the deployment marker's use of the same master key.
      this.#keys.set(i + 1, createSecretKey(Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'webhook-gateway audit chain', 32))));
    });
    this.current = masterKeys.length;
  }

  has(version: number): boolean {
    return this.#keys.has(version);
  }

  /** HMAC-SHA256 of `text` under the key of `version`, in hex. */
  mac(version: number, text: string): string {
    const key = this.#keys.get(version);
    if (!key) throw new Error(`no audit chain key of version ${version}`);
    return createHmac('sha256', key).update(text).digest('hex');
  }
}
