// Secrets at rest (SPEC §4): AES-256-GCM under MASTER_KEY. Stored form: "v1.<iv>.<tag>.<ciphertext>"
// in base64url, so a future key version can sit beside this one.
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
// Node accepts any tag from 4 to 16 bytes unless told the length, and GCM then checks only the
// bytes it is handed: a stored value cut to a 4-byte tag could be forged in ~2^32 tries.
const TAG_BYTES = 16;

export class SecretCipher {
  /** A KeyObject: from raw bytes Node rebuilds the key on every cipher (see signing/hmac.ts). */
  readonly #key: KeyObject;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
    this.#key = createSecretKey(Buffer.from(masterKey));
  }

  /** `context` (e.g. the owning object's id) is bound as associated data: a ciphertext copied
   *  onto another row does not decrypt there. */
  encrypt(plain: string, context: string): string {
    const iv = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(stored: string, context: string): string {
    const [version, iv, tag, body] = stored.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('not a secret envelope of this service');
    }
    const nonce = Buffer.from(iv, 'base64url');
    const authTag = Buffer.from(tag, 'base64url');
    if (nonce.length !== NONCE_BYTES) throw new Error(`secret envelope: the nonce must be ${NONCE_BYTES} bytes`);
    if (authTag.length !== TAG_BYTES) throw new Error(`secret envelope: the authentication tag must be ${TAG_BYTES} bytes`);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
