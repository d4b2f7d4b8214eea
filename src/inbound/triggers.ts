// Trigger administration (SPEC §5): create, update, delete, read. Prisma on this path; the secret
// is generated unless brought, stored encrypted, and returned only by create (and rotation).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../platform/db/prisma.ts';
import { DomainError, badInput, notFound, parseInput } from '../platform/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../platform/ids.ts';
import { CHANNEL, type Message } from '../platform/realtime.ts';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import { addSecret } from '../secrets/secret-store.ts';
import type { Scheme } from '../signing/schemes.ts';
import type { InputMapping } from './mapping.ts';
import { forgetTrigger } from './trigger-context.ts';
import { type TriggerSettings, secretProblem, settingsProblem, triggerSettingsSchema } from './trigger-input.ts';

export interface TriggerRecord {
  id: string;
  workspaceId: string;
  name: string;
  agent: string;
  inputs: InputMapping[];
  filter: string | null;
  signatureScheme: Scheme;
  toleranceSeconds: number;
  ipAllowlist: string[];
  rateLimitPerSecond: number | null;
  enabled: boolean;
  hmac: { header: string; encoding: 'HEX' | 'BASE64'; prefix: string | null; idHeader: string | null } | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Prisma.TriggerGetPayload<object>;

export function toTriggerRecord(row: Row): TriggerRecord {
  return {
    id: row.id, workspaceId: row.workspaceId, name: row.name, agent: row.agent,
    inputs: row.inputs as unknown as InputMapping[], filter: row.filter, signatureScheme: row.signatureScheme,
    toleranceSeconds: row.toleranceSeconds, ipAllowlist: row.ipAllowlist ?? [], rateLimitPerSecond: row.rateLimitPerSecond,
    enabled: row.enabled,
    hmac: row.hmacHeader ? { header: row.hmacHeader, encoding: row.hmacEncoding ?? 'HEX', prefix: row.hmacPrefix, idHeader: row.hmacIdHeader } : null,
    createdAt: row.createdAt, updatedAt: row.updatedAt,
  };
}

export function generateSecret(scheme: Scheme): string {
  // Standard Webhooks and Stripe secrets conventionally read whsec_<base64>; the others are opaque.
  return scheme === 'STANDARD_WEBHOOKS' || scheme === 'STRIPE'
    ? `whsec_${randomBytes(32).toString('base64')}`
    : randomBytes(32).toString('hex');
}


const columns = (s: Partial<TriggerSettings>) => ({
  ...(s.name !== undefined ? { name: s.name } : {}),
  ...(s.agent !== undefined ? { agent: s.agent } : {}),
  ...(s.inputs !== undefined ? { inputs: s.inputs as unknown as Prisma.InputJsonValue } : {}),
  ...(s.filter !== undefined ? { filter: s.filter ?? null } : {}),
  ...(s.signatureScheme !== undefined ? { signatureScheme: s.signatureScheme } : {}),
  ...(s.toleranceSeconds !== undefined ? { toleranceSeconds: s.toleranceSeconds } : {}),
  ...(s.ipAllowlist !== undefined ? { ipAllowlist: s.ipAllowlist ?? [] } : {}),
  ...(s.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: s.rateLimitPerSecond ?? null } : {}),
  ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
  ...(s.hmac !== undefined
    ? { hmacHeader: s.hmac?.header ?? null, hmacEncoding: s.hmac?.encoding ?? null, hmacPrefix: s.hmac?.prefix ?? null, hmacIdHeader: s.hmac?.idHeader ?? null }
    : {}),
});

/** What a trigger's settings are checked against: the deployment's replay window. */
export interface TriggerLimits {
  replayWindowHours: number;
}

/**
 * A timestamp passes for ±toleranceSeconds, so a request stamped at the edge of the future is
 * still fresh 2 × toleranceSeconds after it was accepted: replay memory must outlast that, or a
 * replay sent after the memory expired would pass.
 */
export function toleranceProblem(toleranceSeconds: number, replayWindowHours: number): string | undefined {
  const most = Math.ceil((replayWindowHours * 3600) / 2) - 1;
  return toleranceSeconds > most
    ? `must be below half the replay window (REPLAY_WINDOW_HOURS=${replayWindowHours}): at most ${most} s, since a timestamp up to toleranceSeconds in the future stays fresh for twice as long`
    : undefined;
}

/**
 * Start-up's check of REPLAY_WINDOW_HOURS against the triggers already stored: a window shortened
 * below a trigger's tolerance would reopen replays for it. Returns the problem, if any.
 */
export async function replayWindowProblem(pool: pg.Pool, replayWindowHours: number): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string; tolerance_seconds: number }>(
    'SELECT id, tolerance_seconds FROM trigger ORDER BY tolerance_seconds DESC, id LIMIT 1',
  );
  const widest = rows[0];
  if (!widest || !toleranceProblem(widest.tolerance_seconds, replayWindowHours)) return undefined;
  const needed = Math.floor((2 * widest.tolerance_seconds) / 3600) + 1;
  return `REPLAY_WINDOW_HOURS: ${replayWindowHours} is too short for trigger ${widest.id}, whose toleranceSeconds is ${widest.tolerance_seconds}: `
    + `replay memory must outlast twice the largest tolerance; set at least ${needed}, or lower that trigger's toleranceSeconds first`;
}

async function assertNameFree(db: Db, workspaceId: string, name: string, exceptId?: string) {
  const clash = await db.trigger.findFirst({ where: { workspaceId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new DomainError('CONFLICT', `name: a trigger named "${name}" already exists (${clash.id})`, 'name');
}

export async function createTrigger(
  db: Db, cipher: SecretCipher, workspaceId: string, input: unknown & { secret?: string | null }, limits: TriggerLimits,
): Promise<{ trigger: TriggerRecord; secret: string }> {
  const settings = parseInput(triggerSettingsSchema, input);
  const problem = settingsProblem(settings);
  if (problem) throw badInput(...problem);
  const tolerance = toleranceProblem(settings.toleranceSeconds, limits.replayWindowHours);
  if (tolerance) throw badInput('toleranceSeconds', tolerance);
  const secret = input.secret ?? generateSecret(settings.signatureScheme);
  const secretIssue = input.secret != null ? secretProblem(settings.signatureScheme, input.secret) : undefined;
  if (secretIssue) throw badInput('secret', secretIssue);
  await assertNameFree(db, workspaceId, settings.name);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.trigger.create({ data: { id: newId('trigger'), workspaceId, ...columns(settings) } as Prisma.TriggerUncheckedCreateInput });
    await addSecret(tx as Db, cipher, { kind: 'trigger', id: created.id }, secret);
    return created;
  });
  return { trigger: toTriggerRecord(row), secret };
}

export async function getTrigger(db: Db, workspaceId: string, id: string): Promise<TriggerRecord | null> {
  const row = await db.trigger.findFirst({ where: { id, workspaceId } });
  return row ? toTriggerRecord(row) : null;
}

export async function findTriggerByName(db: Db, workspaceId: string, name: string): Promise<TriggerRecord | null> {
  const row = await db.trigger.findFirst({ where: { workspaceId, name } });
  return row ? toTriggerRecord(row) : null;
}

/** Applies a partial change; fields left out stay as they are, null clears an optional one. */
export async function updateTrigger(db: Db, workspaceId: string, id: string, patch: Record<string, unknown>, limits: TriggerLimits): Promise<TriggerRecord> {
  const current = await getTrigger(db, workspaceId, id);
  if (!current) throw notFound('trigger', id);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const changes = parseInput(triggerSettingsSchema.partial(), defined) as Partial<TriggerSettings>;
  // Defaults of the partial schema must not overwrite fields that were not sent.
  for (const k of Object.keys(changes) as Array<keyof TriggerSettings>) if (!(k in defined)) delete changes[k];
  const problem = settingsProblem({
    signatureScheme: changes.signatureScheme ?? current.signatureScheme, hmac: changes.hmac !== undefined ? changes.hmac : current.hmac,
    filter: changes.filter !== undefined ? changes.filter : current.filter, inputs: changes.inputs ?? current.inputs,
  });
  if (problem) throw badInput(...problem);
  const tolerance = changes.toleranceSeconds !== undefined ? toleranceProblem(changes.toleranceSeconds, limits.replayWindowHours) : undefined;
  if (tolerance) throw badInput('toleranceSeconds', tolerance);
  if (changes.name && changes.name !== current.name) await assertNameFree(db, workspaceId, changes.name, id);
  const row = await db.trigger.update({ where: { id }, data: columns(changes) as Prisma.TriggerUncheckedUpdateInput });
  await announceChange(db, workspaceId, id);
  return toTriggerRecord(row);
}

export async function deleteTrigger(db: Db, workspaceId: string, id: string): Promise<TriggerRecord> {
  const current = await getTrigger(db, workspaceId, id);
  if (!current) throw notFound('trigger', id);
  await db.trigger.delete({ where: { id } });
  await announceChange(db, workspaceId, id);
  return current;
}

/**
 * Tells every replica (their /hooks caches) that a trigger changed, after the change committed:
 * this process at once, the others through NOTIFY. Through Prisma, so the CLI announces its
 * changes too.
 */
export async function announceChange(db: Db, workspaceId: string, id: string): Promise<void> {
  forgetTrigger(id);
  const message = JSON.stringify({ topic: 'trigger.changed', workspaceId, data: { id } } satisfies Message);
  await db.$executeRaw`SELECT pg_notify(${CHANNEL}, ${message})`;
}

export function triggerUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/hooks/${id}`;
}
