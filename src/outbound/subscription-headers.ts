// A subscription's custom headers (SPEC §7). Ones marked `secret` carry credentials: their values
// are encrypted at rest (the row holds a cipher envelope bound to the subscription and the header
// name), opened just in time for a ping or an attempt, and never shown again, to any role.
import { z } from 'zod';
import { badInput } from '../platform/errors.ts';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import { DEPLOYMENT_HEADER, HOPS_HEADER } from '../signing/loop-marker.ts';

export const SECRET_MASK = '••••';

// Set by the gateway, or hop-by-hop headers that would change how the request itself is framed or
// what the connection does next (RFC 9110 §7.6.1, §10.1.1; RFC 9112): never a subscriber's to set.
const RESERVED = new Set([
  'host', 'content-type', 'content-length', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'transfer-encoding',
  'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection', 'proxy-authorization', 'http2-settings',
  DEPLOYMENT_HEADER, HOPS_HEADER,
]);

// Field values: visible ASCII, space, tab and obs-text. A control character (NUL, CR, LF, ...)
// would split or truncate the request; a character past U+00FF cannot be sent as a header at all.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const headerInput = z.object({
  name: z.string().max(256).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')
    .refine((n) => !RESERVED.has(n.toLowerCase()), { message: 'is set by the gateway or controls the connection, and cannot be set' }),
  value: z.string().max(4096),
  secret: z.boolean().nullish(),
}).superRefine((h, ctx) => {
  if (h.secret && keepsStored(h.value)) return;
  if (!FIELD_VALUE.test(h.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'may not contain line breaks, NUL or other control characters' });
});
export type HeaderInput = z.infer<typeof headerInput>;

/** As stored in webhook_subscription.headers: a secret one's value is a cipher envelope. */
export interface StoredHeader {
  name: string;
  value: string;
  secret?: boolean;
}

/** A secret header sent back without a new value (empty, or the mask the API showed) keeps its value. */
const keepsStored = (value: string) => value === '' || value === SECRET_MASK;

const context = (subscriptionId: string, name: string) => `subscription:${subscriptionId}:header:${name.toLowerCase()}`;

/** The headers to store for `input`, replacing `current`; `field` names the input list in errors. */
export function sealHeaders(cipher: SecretCipher, subscriptionId: string, input: HeaderInput[], current: StoredHeader[], field = 'headers'): StoredHeader[] {
  return input.map((h, i) => {
    if (!h.secret) return { name: h.name, value: h.value };
    if (!keepsStored(h.value)) return { name: h.name, value: cipher.encrypt(h.value, context(subscriptionId, h.name)), secret: true };
    const kept = current.find((c) => c.secret && c.name.toLowerCase() === h.name.toLowerCase());
    if (!kept) throw badInput(`${field}.${i}.value`, `a new secret header needs its value (an empty value or "${SECRET_MASK}" keeps a stored one of the same name)`);
    return { name: h.name, value: kept.value, secret: true };
  });
}

/** The headers as sent: secret values decrypted, just before the request. */
export const openHeaders = (cipher: SecretCipher, subscriptionId: string, stored: StoredHeader[]): Array<{ name: string; value: string }> =>
  stored.map((h) => ({ name: h.name, value: h.secret ? cipher.decrypt(h.value, context(subscriptionId, h.name)) : h.value }));

/** The headers as the API shows them. */
export const shownHeaders = (stored: StoredHeader[]): Array<{ name: string; value: string; secret: boolean }> =>
  stored.map((h) => ({ name: h.name, value: h.secret ? SECRET_MASK : h.value, secret: h.secret === true }));
