// Triggers (SPEC §5) as the admin use cases (trigger-admin.ts), YAML files and the CLI write them:
// settings checked, the secret generated unless brought, stored encrypted and returned only by
// create (and rotation), every change announced to the replicas' /hooks caches. No rights are
// checked here: the use cases check the caller's, the CLI is the operator.
import type pg from 'pg';
import type { Db, DbOrTx } from '../platform/db/prisma.ts';
import { DomainError, badInput, notFound, parseInput } from '../platform/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../platform/ids.ts';
import { CHANNEL, type Message } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import { generateSecret } from '../secrets/secret-format.ts';
import { addSecret } from '../secrets/secret-store.ts';
import type { Scheme } from '../signing/schemes.ts';
import type { InputMapping } from './mapping.ts';
import { forgetTrigger } from './trigger-context.ts';
import { type ClientCertificateRequirement, type TriggerSettings, secretFormat, secretProblem, settingsProblem, triggerSettingsSchema } from './trigger-input.ts';

/** What writing a trigger needs: the database, the cipher for its secret, the replay window. */
export type TriggerDeps = Pick<Services, 'db' | 'cipher' | 'config'>;

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
  /** Null: no client certificate is required. */
  clientCertificate: ClientCertificateRequirement | null;
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
    clientCertificate: row.clientCertificateRequired
      ? { subject: row.clientCertificateSubject, fingerprintSha256: row.clientCertificateFingerprintSha256 }
      : null,
    createdAt: row.createdAt, updatedAt: row.updatedAt,
  };
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
  ...(s.clientCertificate !== undefined
    ? {
      clientCertificateRequired: s.clientCertificate !== null,
      clientCertificateSubject: s.clientCertificate?.subject ?? null,
      clientCertificateFingerprintSha256: s.clientCertificate?.fingerprintSha256 ?? null,
    }
    : {}),
});

/**
 * A timestamp passes for ±toleranceSeconds, so a request stamped at the edge of the future is
 * still fresh 2 × toleranceSeconds after it was accepted: replay memory must outlast that, or a
 * replay sent after the memory expired would pass.
 */
function toleranceProblem(toleranceSeconds: number, replayWindowHours: number): string | undefined {
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

async function assertNameFree(db: DbOrTx, workspaceId: string, name: string, exceptId?: string) {
  const clash = await db.trigger.findFirst({ where: { workspaceId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new DomainError('CONFLICT', `name: a trigger named "${name}" already exists (${clash.id})`, 'name');
}

/** A new trigger and its first secret: the one brought in `input.secret`, else a generated one. */
export async function insertTrigger(
  deps: TriggerDeps, workspaceId: string, input: Record<string, unknown> & { secret?: string | null },
): Promise<{ trigger: TriggerRecord; secret: string }> {
  const settings = parseInput(triggerSettingsSchema, input);
  const problem = settingsProblem(settings);
  if (problem) throw badInput(...problem);
  const tolerance = toleranceProblem(settings.toleranceSeconds, deps.config.replayWindowHours);
  if (tolerance) throw badInput('toleranceSeconds', tolerance);
  const secret = input.secret ?? generateSecret(secretFormat(settings.signatureScheme));
  const secretIssue = input.secret != null ? secretProblem(settings.signatureScheme, input.secret) : undefined;
  if (secretIssue) throw badInput('secret', secretIssue);
  const row = await deps.db.$transaction(async (tx) => {
    await assertNameFree(tx, workspaceId, settings.name);
    const created = await tx.trigger.create({ data: { id: newId('trigger'), workspaceId, ...columns(settings) } as Prisma.TriggerUncheckedCreateInput });
    await addSecret(tx, deps.cipher, { kind: 'trigger', id: created.id }, secret);
    return created;
  });
  return { trigger: toTriggerRecord(row), secret };
}

export async function getTrigger(db: DbOrTx, workspaceId: string, id: string): Promise<TriggerRecord | null> {
  const row = await db.trigger.findFirst({ where: { id, workspaceId } });
  return row ? toTriggerRecord(row) : null;
}

export async function getTriggerByName(db: DbOrTx, workspaceId: string, name: string): Promise<TriggerRecord | null> {
  const row = await db.trigger.findFirst({ where: { workspaceId, name } });
  return row ? toTriggerRecord(row) : null;
}

/**
 * Locks a trigger of the workspace for the rest of the caller's transaction, so changes to it (and
 * rotations of its secret) take turns; undefined when there is no such trigger. Returns the time
 * the lock was taken (outside the locking subquery: its own select list is computed before the
 * lock wait). NO KEY UPDATE, so rows that reference the trigger are still inserted meanwhile.
 */
export async function lockTrigger(tx: DbOrTx, workspaceId: string, id: string): Promise<Date | undefined> {
  const [locked] = await tx.$queryRaw<Array<{ now: Date }>>`
    SELECT clock_timestamp() AS now FROM (SELECT 1 FROM "trigger" WHERE id = ${id} AND workspace_id = ${workspaceId} FOR NO KEY UPDATE) t`;
  return locked?.now;
}

/** The settings of `patch` that were sent, checked; defaults of the partial schema left out. */
function changesOf(patch: Record<string, unknown>): Partial<TriggerSettings> {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const changes = parseInput(triggerSettingsSchema.partial(), defined) as Partial<TriggerSettings>;
  for (const k of Object.keys(changes) as Array<keyof TriggerSettings>) if (!(k in defined)) delete changes[k];
  return changes;
}

/** Applies a partial change; fields left out stay as they are, null clears an optional one. */
export async function patchTrigger(deps: TriggerDeps, workspaceId: string, id: string, patch: Record<string, unknown>): Promise<TriggerRecord> {
  const row = await deps.db.$transaction(async (tx) => {
    const current = (await lockTrigger(tx, workspaceId, id)) && (await getTrigger(tx, workspaceId, id));
    if (!current) throw notFound('trigger', id);
    const changes = changesOf(patch);
    // Checked against the settings the change leaves, read under the lock.
    const problem = settingsProblem({
      signatureScheme: changes.signatureScheme ?? current.signatureScheme, hmac: changes.hmac !== undefined ? changes.hmac : current.hmac,
      filter: changes.filter !== undefined ? changes.filter : current.filter, inputs: changes.inputs ?? current.inputs,
    });
    if (problem) throw badInput(...problem);
    const tolerance = changes.toleranceSeconds !== undefined ? toleranceProblem(changes.toleranceSeconds, deps.config.replayWindowHours) : undefined;
    if (tolerance) throw badInput('toleranceSeconds', tolerance);
    if (changes.name && changes.name !== current.name) await assertNameFree(tx, workspaceId, changes.name, id);
    return tx.trigger.update({ where: { id }, data: columns(changes) as Prisma.TriggerUncheckedUpdateInput });
  });
  await announceChange(deps.db, workspaceId, id);
  return toTriggerRecord(row);
}

/**
 * Tells every replica (their /hooks caches) that a trigger changed, once the change committed (so
 * not in its transaction: a request between the forgetting and the commit would cache the old
 * trigger again): this process at once, the others through NOTIFY. Through Prisma, so the CLI
 * announces its changes too.
 */
export async function announceChange(db: Db, workspaceId: string, id: string): Promise<void> {
  forgetTrigger(id);
  const message = JSON.stringify({ topic: 'trigger.changed', workspaceId, data: { id } } satisfies Message);
  await db.$executeRaw`SELECT pg_notify(${CHANNEL}, ${message})`;
}

export function triggerUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/hooks/${id}`;
}
