// Signing secrets' two formats, drawn by one generator (32 random bytes) for every owner:
// Standard Webhooks' `whsec_<base64 key>` (SPEC §5, §7; Stripe's secrets look the same), and an
// opaque hex string for the schemes that key their HMAC with the secret string's bytes.
import { randomBytes } from 'node:crypto';

export type SecretFormat = 'whsec' | 'hex';

const SECRET_BYTES = 32;

export function generateSecret(format: SecretFormat): string {
  const key = randomBytes(SECRET_BYTES);
  return format === 'whsec' ? `whsec_${key.toString('base64')}` : key.toString('hex');
}

/** The key of a `whsec_<base64>` secret, or undefined when the secret is not of that form. */
export function whsecKey(secret: string): Buffer | undefined {
  const key = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
  return /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? Buffer.from(key, 'base64') : undefined;
}
