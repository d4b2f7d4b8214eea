// Triggers as YAML (SPEC §5's format), applied by name: the same file twice changes nothing; a
// changed file updates the trigger. `secretFrom: env:NAME` is read by the CLI only: the API refuses
// it, so a caller cannot read the server's environment through a trigger.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { badInput, parseInput } from '../platform/errors.ts';
import { SCHEMES } from '../signing/schemes.ts';
import { INPUT_TYPES, reservedInputName } from './mapping.ts';
import { clientCertificateSchema } from './trigger-input.ts';
import { type TriggerDeps, type TriggerRecord, getTriggerByName, insertTrigger, patchTrigger } from './triggers.ts';

// An input is `{ path, type?, required?, defaultValue? }`, or just its path.
const yamlInput = z.preprocess(
  (v) => (typeof v === 'string' ? { path: v } : v),
  z.object({
    path: z.string(),
    type: z.enum(INPUT_TYPES).optional(),
    required: z.boolean().optional(),
    defaultValue: z.unknown().optional(),
  }).strict(),
);

const triggerYamlSchema = z.object({
  apiVersion: z.literal('webhooks/v1'),
  kind: z.literal('Trigger'),
  name: z.string(),
  agent: z.string(),
  enabled: z.boolean().optional(),
  signature: z.object({
    scheme: z.enum(SCHEMES).default('STANDARD_WEBHOOKS'),
    secretFrom: z.string().regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'must be env:VARIABLE_NAME').optional(),
    toleranceSeconds: z.number().int().optional(),
    hmac: z.object({ header: z.string(), encoding: z.enum(['HEX', 'BASE64']).optional(), prefix: z.string().optional(), idHeader: z.string().optional() }).strict().optional(),
  }).strict().default({ scheme: 'STANDARD_WEBHOOKS' }),
  ipAllowlist: z.array(z.string()).optional(),
  clientCertificate: z.object({ required: z.boolean().optional(), subject: z.string().optional(), fingerprintSha256: z.string().optional() }).strict().optional(),
  rateLimitPerSecond: z.number().int().optional(),
  filter: z.string().optional(),
  inputs: z.record(z.string(), yamlInput).default({}),
}).strict();

export type TriggerYaml = z.infer<typeof triggerYamlSchema>;

export function parseTriggerYaml(text: string): TriggerYaml {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw badInput('yaml', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  // zod's record drops a `__proto__` key without a word: name it here instead.
  const inputs = (doc as { inputs?: unknown } | null)?.inputs;
  const reserved = inputs && typeof inputs === 'object' ? Object.keys(inputs).find(reservedInputName) : undefined;
  if (reserved !== undefined) throw badInput(`yaml.inputs.${reserved}`, `"${reserved}" is reserved: every JavaScript object has a property of that name`);
  return parseInput(triggerYamlSchema, doc, 'yaml.');
}

/** The trigger settings a YAML document stands for, every field explicit. */
function settingsOf(doc: TriggerYaml) {
  return {
    name: doc.name,
    agent: doc.agent,
    enabled: doc.enabled ?? true,
    signatureScheme: doc.signature.scheme,
    toleranceSeconds: doc.signature.toleranceSeconds ?? 300,
    hmac: doc.signature.hmac ? { header: doc.signature.hmac.header, encoding: doc.signature.hmac.encoding ?? 'HEX', prefix: doc.signature.hmac.prefix ?? null, idHeader: doc.signature.hmac.idHeader ?? null } : null,
    ipAllowlist: doc.ipAllowlist ?? [],
    // Normalised here, so that a file naming the same pins in another spelling changes nothing.
    clientCertificate: doc.clientCertificate ? parseInput(clientCertificateSchema, doc.clientCertificate, 'yaml.clientCertificate.') : null,
    rateLimitPerSecond: doc.rateLimitPerSecond ?? null,
    filter: doc.filter ?? null,
    inputs: Object.entries(doc.inputs).map(([name, i]) => ({
      name, path: i.path, type: i.type ?? 'STRING', required: i.required ?? true,
      ...(i.defaultValue !== undefined ? { defaultValue: i.defaultValue } : {}),
    })),
  };
}

function sameSettings(current: TriggerRecord, wanted: ReturnType<typeof settingsOf>): boolean {
  const norm = (v: unknown) => JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort()) : val));
  return norm({ ...wanted }) === norm({
    name: current.name, agent: current.agent, enabled: current.enabled, signatureScheme: current.signatureScheme,
    toleranceSeconds: current.toleranceSeconds, hmac: current.hmac, ipAllowlist: current.ipAllowlist,
    rateLimitPerSecond: current.rateLimitPerSecond, filter: current.filter, clientCertificate: current.clientCertificate,
    inputs: current.inputs.map((i) => ({ name: i.name, path: i.path, type: i.type, required: i.required, ...(i.defaultValue !== undefined ? { defaultValue: i.defaultValue } : {}) })),
  });
}

export interface ApplyResult {
  trigger: TriggerRecord;
  created: boolean;
  changed: boolean;
  secret: string | null;
}

/**
 * Creates or updates the trigger named in the file. `secret` stands in for secretFrom (the CLI
 * resolves it); it is used only when the trigger is created: rotating a secret is its own act.
 */
export async function applyTriggerDocument(deps: TriggerDeps, workspaceId: string, doc: TriggerYaml, secret: string | null): Promise<ApplyResult> {
  const wanted = settingsOf(doc);
  const current = await getTriggerByName(deps.db, workspaceId, doc.name);
  if (!current) {
    const { trigger, secret: shown } = await insertTrigger(deps, workspaceId, { ...wanted, secret });
    return { trigger, created: true, changed: true, secret: shown };
  }
  if (sameSettings(current, wanted)) return { trigger: current, created: false, changed: false, secret: null };
  const trigger = await patchTrigger(deps, workspaceId, current.id, wanted);
  return { trigger, created: false, changed: true, secret: null };
}
