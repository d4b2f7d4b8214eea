// OAuth2 client credentials on outbound calls (SPEC §7, RFC 6749 §4.4). A subscription may name a
// token endpoint and its client; the gateway fetches a token there (through the one delivery
// client, so the token URL passes the target guard at connect time too), keeps it per subscription
// until 30 s before it expires, and sends `Authorization: Bearer <token>` on the ping and on every
// attempt. The client secret is stored as a cipher envelope and opened only to ask for a token.
//
// The cache is per process and keyed per subscription by a hash of the stored credentials (with
// the secret's envelope, new at every save): a replica that reads changed credentials finds no
// token under their hash and asks again, without any message between replicas.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import { badInput } from '../platform/errors.ts';
import type { SendResult } from '../platform/http-client.ts';
import type { Services } from '../platform/services.ts';
import { SECRET_MASK } from './subscription-headers.ts';

/** The token endpoint's answer is read up to this many bytes; a longer one is a failure. */
export const TOKEN_ANSWER_LIMIT = 64 * 1024;
/** A token is renewed this long before it expires, so that it does not expire on the way. */
const RENEW_BEFORE_MS = 30_000;
const DEFAULT_LIFETIME_S = 300;
const MIN_LIFETIME_S = 60;
const MAX_LIFETIME_S = 24 * 3600;
/** A failed token request is not repeated for this long: each attempt meanwhile fails at once. */
const FAILURE_KEPT_MS = 30_000;
/** Entries held before stale ones are swept out. */
const PRUNE_AT = 10_000;

const AUTH_METHODS = ['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST'] as const;
type AuthMethod = (typeof AUTH_METHODS)[number];

// Printable ASCII and spaces (RFC 6749 §3.3 scope tokens, and what a form parameter can carry
// without surprise at the other end).
const PRINTABLE = /^[\x20-\x7e]*$/;

export const oauth2Input = z.object({
  tokenUrl: z.string().min(1).max(2048),
  clientId: z.string().min(1).max(1024).regex(PRINTABLE, 'must be printable ASCII'),
  clientSecret: z.string().max(4096),
  scope: z.string().max(2048).regex(PRINTABLE, 'must be printable ASCII (space-separated scope tokens)').nullish(),
  audience: z.string().max(2048).regex(PRINTABLE, 'must be printable ASCII').nullish(),
  authMethod: z.enum(AUTH_METHODS).nullish(),
});
export type OAuth2Input = z.infer<typeof oauth2Input>;

/** As stored in webhook_subscription.oauth2: `clientSecret` is a cipher envelope. */
export interface StoredOAuth2 {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string | null;
  audience: string | null;
  authMethod: AuthMethod;
}

const secretContext = (subscriptionId: string) => `subscription:${subscriptionId}:oauth2`;

/**
 * The credentials to store. A secret sent back empty or as the mask keeps the stored one (a console
 * edits the other fields without knowing it), but only for the same token URL: a caller who never
 * saw the secret must not be able to have it sent somewhere else. `tokenUrl` must have passed the
 * target guard already.
 */
export function sealOAuth2(cipher: SecretCipher, subscriptionId: string, input: OAuth2Input, current: StoredOAuth2 | null): StoredOAuth2 {
  const keeps = input.clientSecret === '' || input.clientSecret === SECRET_MASK;
  if (keeps && !current) throw badInput('oauth2.clientSecret', 'the client secret is required');
  if (keeps && current!.tokenUrl !== input.tokenUrl) throw badInput('oauth2.clientSecret', 'give the client secret again when the token URL changes');
  return {
    tokenUrl: input.tokenUrl,
    clientId: input.clientId,
    clientSecret: keeps ? current!.clientSecret : cipher.encrypt(input.clientSecret, secretContext(subscriptionId)),
    scope: input.scope || null,
    audience: input.audience || null,
    authMethod: input.authMethod ?? 'CLIENT_SECRET_BASIC',
  };
}

/** What the API shows: everything but the secret. */
export const shownOAuth2 = (stored: StoredOAuth2 | null) =>
  stored && { tokenUrl: stored.tokenUrl, clientId: stored.clientId, scope: stored.scope, audience: stored.audience, authMethod: stored.authMethod };

/** The subscription a ping or an attempt is for. */
export interface OAuth2Target {
  id: string;
  oauth2: StoredOAuth2 | null;
  timeoutMs: number;
}

export type TokenServices = Pick<Services, 'cipher' | 'deliveryClient' | 'log'>;

/**
 * The seam where pings and attempts send: `send` gets the headers to add (the bearer token, or none
 * without OAuth2) and the time it has. A 401 renews the token once, unless another attempt already
 * has, and sends again; a token that cannot be had is an AUTH failure with the endpoint's reason,
 * and nothing is sent.
 *
 * Token requests and sends share the subscription's timeout: the delivery job expires just above
 * it (events/delivery-queue.ts), and an attempt that outlived its job would be made twice.
 */
export async function sendWithToken(
  services: TokenServices, target: OAuth2Target, send: (auth: Record<string, string>, timeoutMs: number) => Promise<SendResult>,
): Promise<SendResult> {
  const { oauth2 } = target;
  if (!oauth2) return send({}, target.timeoutMs);
  const started = performance.now();
  const left = () => Math.max(1, Math.round(target.timeoutMs - (performance.now() - started)));
  const tokens = oauth2Tokens(services);
  const first = await tokens.get(services, { ...target, oauth2, timeoutMs: left() });
  if ('reason' in first) return authFailure(first.reason, started);
  const result = await send(bearer(first.token), left());
  if (result.statusCode !== 401) return result;
  const renewed = await tokens.renew(services, { ...target, oauth2, timeoutMs: left() }, first.token);
  if ('reason' in renewed) return authFailure(`the receiver answered 401, and renewing the token failed: ${renewed.reason}`, started);
  return renewed.token === first.token ? result : send(bearer(renewed.token), left());
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const authFailure = (reason: string, started: number): SendResult =>
  ({ statusCode: null, durationMs: Math.round(performance.now() - started), errorClass: 'AUTH', errorReason: reason, responseBody: null, retryAfterSeconds: null });

type Outcome = { token: string } | { reason: string };

type Entry =
  | { key: string; pending: Promise<Outcome> }
  | { key: string; token: string; renewAt: number }
  | { key: string; reason: string; until: number };

/** The process's tokens, per subscription. */
export class OAuth2Tokens {
  /** The clock the lifetimes are measured on (tests move it instead of waiting). */
  now: () => number = Date.now;
  readonly #entries = new Map<string, Entry>();

  /** A valid token, a recent failure, or the answer of the one request in flight for these credentials. */
  get(services: TokenServices, target: OAuth2Target & { oauth2: StoredOAuth2 }): Promise<Outcome> {
    const key = credentialsKey(target.oauth2);
    const held = this.#entries.get(target.id);
    if (held?.key === key) {
      if ('pending' in held) return held.pending;
      if ('token' in held && this.now() < held.renewAt) return Promise.resolve({ token: held.token });
      if ('reason' in held && this.now() < held.until) return Promise.resolve({ reason: held.reason });
    }
    const pending = requestToken(services, target).catch((err: unknown): TokenAnswer => {
      services.log.error({ err: { message: (err as Error).message }, subscriptionId: target.id }, 'could not make an OAuth2 token request');
      return { reason: 'token endpoint: the request could not be made' };
    }).then((answer) => {
      // Credentials changed while it was in flight: the newer request's entry stays.
      if (this.#entries.get(target.id) === entry) {
        this.#entries.set(target.id, 'token' in answer
          ? { key, token: answer.token, renewAt: this.now() + answer.lifetimeS * 1000 - RENEW_BEFORE_MS }
          : { key, reason: answer.reason, until: this.now() + FAILURE_KEPT_MS });
      }
      return 'token' in answer ? { token: answer.token } : answer;
    });
    const entry: Entry = { key, pending };
    if (this.#entries.size >= PRUNE_AT) this.#prune();
    this.#entries.set(target.id, entry);
    return pending;
  }

  /** Deleted subscriptions and idle ones leave stale entries behind: they go once there are many. */
  #prune(): void {
    const now = this.now();
    for (const [id, e] of this.#entries) {
      if (('token' in e && e.renewAt <= now) || ('reason' in e && e.until <= now)) this.#entries.delete(id);
    }
  }

  /** After a 401: drops the token only if it is still the one the receiver refused, then as get(). */
  renew(services: TokenServices, target: OAuth2Target & { oauth2: StoredOAuth2 }, refused: string): Promise<Outcome> {
    const held = this.#entries.get(target.id);
    if (held && 'token' in held && held.token === refused) this.#entries.delete(target.id);
    return this.get(services, target);
  }
}

const caches = new WeakMap<TokenServices['deliveryClient'], OAuth2Tokens>();

/** The process's token cache, kept beside the delivery client that fetches the tokens. */
export function oauth2Tokens(services: Pick<TokenServices, 'deliveryClient'>): OAuth2Tokens {
  let tokens = caches.get(services.deliveryClient);
  if (!tokens) {
    tokens = new OAuth2Tokens();
    caches.set(services.deliveryClient, tokens);
  }
  return tokens;
}

function credentialsKey(c: StoredOAuth2): string {
  return createHash('sha256').update(JSON.stringify([c.tokenUrl, c.clientId, c.clientSecret, c.scope, c.audience, c.authMethod])).digest('base64url');
}

// RFC 6749 §2.3.1: client_secret_basic encodes id and secret as form data first, so a ':' in the
// id, or '%' and '+' in either, survive the Basic scheme's own split on ':'.
const formEncoded = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

/** The token request (RFC 6749 §4.4.2) for these credentials. */
function tokenRequest(c: StoredOAuth2, secret: string): { form: URLSearchParams; headers: Record<string, string> } {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (c.scope) form.set('scope', c.scope);
  if (c.audience) form.set('audience', c.audience);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (c.authMethod === 'CLIENT_SECRET_POST') {
    form.set('client_id', c.clientId);
    form.set('client_secret', secret);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${formEncoded(c.clientId)}:${formEncoded(secret)}`).toString('base64')}`;
  }
  return { form, headers };
}

type TokenAnswer = { token: string; lifetimeS: number } | { reason: string };

async function requestToken(services: TokenServices, target: OAuth2Target & { oauth2: StoredOAuth2 }): Promise<TokenAnswer> {
  let secret: string;
  try {
    secret = services.cipher.decrypt(target.oauth2.clientSecret, secretContext(target.id));
  } catch {
    return { reason: 'the stored client secret does not decrypt (was MASTER_KEY changed?): save the credentials again' };
  }
  const { form, headers } = tokenRequest(target.oauth2, secret);
  const answer = await services.deliveryClient.postForm(target.oauth2.tokenUrl, form, headers, target.timeoutMs, TOKEN_ANSWER_LIMIT);
  const read = readTokenAnswer(answer);
  if ('reason' in read) {
    // Whatever the endpoint echoed, the secret is never repeated: not in the attempt, not in the log.
    const reason = `token endpoint: ${read.reason}`.replaceAll(secret, SECRET_MASK);
    services.log.warn({ subscriptionId: target.id, reason }, 'OAuth2 token request failed');
    return { reason };
  }
  return read;
}

const tokenAnswer = z.object({
  access_token: z.string().min(1).max(16_384).regex(/^[\x21-\x7e]+$/),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

/** The token and its lifetime in seconds, or why there is none (RFC 6749 §5.1, §5.2). */
function readTokenAnswer(answer: Awaited<ReturnType<TokenServices['deliveryClient']['postForm']>>): TokenAnswer {
  if (answer.errorClass !== null) return { reason: answer.errorClass };
  if (answer.tooLarge) return { reason: `answered ${answer.statusCode} with more than ${TOKEN_ANSWER_LIMIT / 1024} KiB` };
  let json: unknown;
  try {
    json = JSON.parse(answer.body!.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (answer.statusCode! < 200 || answer.statusCode! >= 300) return { reason: endpointError(answer.statusCode!, json) };
  const parsed = tokenAnswer.safeParse(json);
  if (!parsed.success) return { reason: `answered ${answer.statusCode} without a usable access_token` };
  const { access_token: token, token_type: type, expires_in: expiresIn } = parsed.data;
  if (type !== undefined && type.toLowerCase() !== 'bearer') return { reason: `answered a token of type "${printable(type, 40)}", not Bearer` };
  return { token, lifetimeS: Math.min(MAX_LIFETIME_S, Math.max(MIN_LIFETIME_S, expiresIn ?? DEFAULT_LIFETIME_S)) };
}

/** "answered 401: invalid_client: <description>", with the RFC 6749 §5.2 fields when the answer has them. */
function endpointError(status: number, json: unknown): string {
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const error = typeof body.error === 'string' ? printable(body.error, 100) : '';
  const description = typeof body.error_description === 'string' ? printable(body.error_description, 500) : '';
  return [`answered ${status}`, error, description].filter((s) => s !== '').join(': ');
}

const printable = (s: string, max: number) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
