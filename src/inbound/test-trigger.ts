// testTrigger (SPEC §5): runs the checks of POST /hooks/{id} on a request the caller describes and
// reports each outcome ("signature computed over different bytes", "timestamp 412 s old") and the
// mapped inputs. It writes nothing: no delivery, no audit row, no rate-limit hit, no replay memory.
import type pg from 'pg';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import type { Headers } from '../signing/schemes.ts';
import { type Evaluation, bodyChecks, preChecks, shownMessageId, signatureCheck } from './evaluate.ts';
import { findReplay } from './record.ts';
import type { TriggerContext } from './trigger-context.ts';
import { loadTriggerContext } from './trigger-context.ts';

export interface DryRun {
  status: number;
  code: string | null;
  message: string | null;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  messageId: string | null;
  ignored: boolean;
  mappedInputs: Record<string, unknown> | null;
}

export async function testTrigger(
  pool: pg.Pool, cipher: SecretCipher, t: TriggerContext | undefined,
  input: { headers: Array<{ name: string; value: string }>; body: string; sourceIp?: string | null },
  opts: { replayWindowHours: number; maxBodyBytes: number; deploymentId: string; now?: Date },
): Promise<DryRun | undefined> {
  if (!t) return undefined;
  const headers: Headers = {};
  for (const h of input.headers) headers[h.name.toLowerCase()] ??= h.value;
  const body = Buffer.from(input.body, 'utf8');
  const ev: Evaluation = { checks: [] };
  const request = { headers, body, sourceIp: input.sourceIp ?? undefined, nowSeconds: Math.floor((opts.now ?? new Date()).getTime() / 1000) };
  const done = (status: number): DryRun => ({
    status: ev.refusal?.status ?? status, code: ev.refusal?.code ?? null, message: ev.refusal?.message ?? null,
    checks: ev.checks.map((c) => ({ name: c.check, passed: c.passed, detail: c.detail })),
    messageId: shownMessageId(ev) ?? null, ignored: ev.ignored ?? false, mappedInputs: ev.inputs ?? null,
  });
  if (body.length > opts.maxBodyBytes) {
    ev.refusal = { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${opts.maxBodyBytes} bytes` };
    return done(413);
  }
  // Without a source address the allowlist cannot be judged; say so rather than refuse.
  const kind = preChecks({ ...t, ipAllowlist: input.sourceIp ? t.ipAllowlist : [] }, request, opts.deploymentId, ev);
  if (!input.sourceIp && t.ipAllowlist.length > 0) {
    const allowlist = ev.checks.findIndex((c) => c.check === 'ipAllowlist');
    if (allowlist >= 0) ev.checks[allowlist] = { check: 'ipAllowlist', passed: true, detail: 'not checked: no sourceIp given' };
  }
  if (!kind) return done(0);
  if (!signatureCheck(t, request, ev)) return done(0);
  if (ev.replayKeys!.length > 0) {
    const first = await findReplay(pool, t, ev.replayKeys!, opts.replayWindowHours);
    ev.checks.push(first
      ? { check: 'replay', passed: true, detail: `message id already accepted as ${first.deliveryId}: the answer would repeat it and start no session` }
      : { check: 'replay', passed: true, detail: 'message id not seen before' });
    if (first) return { ...done(202), ignored: first.ignored };
  }
  bodyChecks(t, kind, request, ev);
  return done(ev.reply ? 200 : 202);
}

export { loadTriggerContext };
