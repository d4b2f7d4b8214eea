// Validation of a trigger's settings, shared by the GraphQL mutations and YAML files.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { CertificateError, distinguishedName, fingerprintSha256 } from '../platform/crypto/x509.ts';
import { checkJsonPath, jsonPathSchema } from '../platform/jsonpath.ts';
import { type SecretFormat, whsecKey } from '../secrets/secret-format.ts';
import { SCHEMES, type Scheme } from '../signing/schemes.ts';
import { inputMappingSchema } from './mapping.ts';

/**
 * Steps that may visit every value of the payload (`*`, filters, slices) over a trigger's filter and
 * inputs together: each costs up to one visit per value of a 1 MiB body (about 0.25 s at worst,
 * measured), and every request runs them all.
 */
const MAX_WIDE_STEPS = 8;

const wideSteps = (path: string | null | undefined) => {
  if (!path) return 0;
  try {
    return checkJsonPath(path).wideSteps;
  } catch {
    return 0; // refused on its own, naming its field
  }
};

const cidr = z.string().superRefine((value, ctx) => {
  try {
    if (value.includes('/')) ipaddr.parseCIDR(value);
    else ipaddr.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an IPv4 or IPv6 address or CIDR` });
  }
});

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name');

const hmacSchema = z.object({
  header: headerName,
  encoding: z.enum(['HEX', 'BASE64']).default('HEX'),
  prefix: z.string().max(100).nullish(),
  idHeader: headerName.nullish(),
});

/** A subject pin, stored in the canonical RFC 4514 form it is compared in (platform/crypto/x509.ts). */
const subjectPin = z.string().max(1000).transform((value, ctx) => {
  try {
    return distinguishedName(value);
  } catch (err) {
    if (!(err instanceof CertificateError)) throw err;
    ctx.addIssue({ code: 'custom', message: `is not an RFC 4514 distinguished name such as "CN=sender,O=Example": ${err.message}` });
    return z.NEVER;
  }
});

const fingerprintPin = z.string().max(200).transform((value, ctx) => {
  const normalised = fingerprintSha256(value);
  if (normalised === undefined) ctx.addIssue({ code: 'custom', message: 'must be a SHA-256 fingerprint: 64 hex digits, in any case, bare or in colon-separated pairs' });
  return normalised ?? z.NEVER;
});

/**
 * SPEC §5 mTLS. `required: false` means no requirement at all (stored as none); pins only apply to
 * a required certificate, so they are refused beside `required: false` rather than kept unenforced.
 */
export const clientCertificateSchema = z.object({
  required: z.boolean().default(true),
  subject: subjectPin.nullish(),
  fingerprintSha256: fingerprintPin.nullish(),
}).superRefine((v, ctx) => {
  if (!v.required && (v.subject || v.fingerprintSha256)) {
    ctx.addIssue({ code: 'custom', path: ['required'], message: 'must be true when subject or fingerprintSha256 is given: pins apply to a required certificate' });
  }
}).transform((v) => (v.required ? { subject: v.subject ?? null, fingerprintSha256: v.fingerprintSha256 ?? null } : null));

export type ClientCertificateRequirement = { subject: string | null; fingerprintSha256: string | null };

export const triggerSettingsSchema = z.object({
  name: z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'may hold letters, digits, _, . and - only'),
  agent: z.string().trim().min(1).max(200),
  inputs: z.array(inputMappingSchema.extend({ path: jsonPathSchema })).max(100)
    .refine((list) => new Set(list.map((i) => i.name)).size === list.length, 'input names must be unique'),
  filter: jsonPathSchema.nullish(),
  signatureScheme: z.enum(SCHEMES).default('STANDARD_WEBHOOKS'),
  toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
  ipAllowlist: z.array(cidr).max(100).nullish(),
  rateLimitPerSecond: z.number().int().min(1).max(100_000).nullish(),
  enabled: z.boolean().default(true),
  hmac: hmacSchema.nullish(),
  clientCertificate: clientCertificateSchema.nullish(),
});

export type TriggerSettings = z.infer<typeof triggerSettingsSchema>;

/** Cross-field rules zod's object shape cannot say. Returns [field, message] or undefined. */
export function settingsProblem(s: Pick<TriggerSettings, 'signatureScheme' | 'hmac'> & Partial<Pick<TriggerSettings, 'filter' | 'inputs'>>): [string, string] | undefined {
  if (s.signatureScheme === 'HMAC_SHA256' && !s.hmac) return ['hmac', 'is required for the HMAC_SHA256 scheme'];
  if (s.signatureScheme !== 'HMAC_SHA256' && s.hmac) return ['hmac', 'is only for the HMAC_SHA256 scheme'];
  let wide = wideSteps(s.filter);
  for (const [i, input] of (s.inputs ?? []).entries()) {
    wide += wideSteps(input.path);
    if (wide > MAX_WIDE_STEPS) {
      return [`inputs.${i}.path`, `the filter and inputs may hold at most ${MAX_WIDE_STEPS} steps that visit every value ([*], [?(...)], slices) in all`];
    }
  }
  return wide > MAX_WIDE_STEPS ? ['filter', `the filter and inputs may hold at most ${MAX_WIDE_STEPS} steps that visit every value ([*], [?(...)], slices) in all`] : undefined;
}

/** A secret brought by the user must fit the scheme: Standard Webhooks keys are whsec_<base64>. */
export function secretProblem(scheme: Scheme, secret: string): string | undefined {
  if (secret.length < 8 || secret.length > 512) return 'must be 8 to 512 characters';
  if (scheme === 'STANDARD_WEBHOOKS' && (whsecKey(secret)?.length ?? 0) < 16) {
    return 'must be whsec_ followed by at least 16 bytes of base64 for STANDARD_WEBHOOKS';
  }
  return undefined;
}

/**
 * The form of a generated secret: Standard Webhooks keys are whsec_<base64>, and Stripe's secrets
 * conventionally look the same (its HMAC is keyed with the whole string); the others are opaque.
 */
export function secretFormat(scheme: Scheme): SecretFormat {
  return scheme === 'STANDARD_WEBHOOKS' || scheme === 'STRIPE' ? 'whsec' : 'hex';
}
