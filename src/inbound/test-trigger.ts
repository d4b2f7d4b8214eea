// testTrigger (SPEC §5): runs the checks of POST /hooks/{id} (the same pipeline, inbound/evaluate.ts,
// in its dry-run mode) on a request the caller describes, and reports each check's outcome
// ("signature computed over different bytes", "timestamp 412 s old") and the mapped inputs. It
// writes nothing: no delivery, no audit row, no rate-limit hit, no replay memory, no flood count.
import { type Principal, assertCan } from '../auth/principal.ts';
import { notFound } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import type { Headers } from '../signing/schemes.ts';
import { checkDeps, evaluateRequest, shownMessageId } from './evaluate.ts';
import { loadTriggerContext } from './trigger-context.ts';

export interface TestTriggerInput {
  triggerId: string;
  headers: Array<{ name: string; value: string }>;
  body: string;
  sourceIp?: string | null;
  /** Checked as if presented over TLS (chain, validity, pins) when given. */
  clientCertificatePem?: string | null;
}

export interface DryRun {
  /** What the endpoint would answer. */
  status: number;
  code: string | null;
  message: string | null;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  messageId: string | null;
  ignored: boolean;
  mappedInputs: Record<string, unknown> | null;
}

const ANSWERS = { accept: 202, replay: 202, handshake: 200 } as const;

/** The dry run, for a key that may read the trigger's workspace; a disabled trigger is tested too. */
export async function testTrigger(services: Pick<Services, 'pool' | 'cipher' | 'config' | 'deploymentId' | 'tls'>, principal: Principal | undefined, input: TestTriggerInput): Promise<DryRun> {
  const { workspaceId } = assertCan(principal, 'read');
  const t = await loadTriggerContext(services.pool, services.cipher, input.triggerId, { includeDisabled: true });
  if (!t || t.workspaceId !== workspaceId) throw notFound('trigger', input.triggerId);
  const headers: Headers = {};
  for (const h of input.headers) headers[h.name.toLowerCase()] ??= h.value;
  const pem = input.clientCertificatePem || undefined;
  const request = {
    headers, body: Buffer.from(input.body, 'utf8'), sourceIp: input.sourceIp || undefined, nowSeconds: Math.floor(Date.now() / 1000),
    clientCertificate: pem === undefined ? undefined : () => ({ kind: 'presented' as const, cert: pem, via: 'given as clientCertificatePem' }),
  };
  const { verdict, ev } = await evaluateRequest(checkDeps(services), t, request, 'dry-run');
  const refusal = verdict.kind === 'refuse' ? verdict.refusal : undefined;
  return {
    status: refusal?.status ?? ANSWERS[verdict.kind as keyof typeof ANSWERS],
    code: refusal?.code ?? null,
    message: refusal?.message ?? null,
    checks: ev.checks.map((c) => ({ name: c.check, passed: c.passed, detail: c.detail })),
    messageId: shownMessageId(ev) ?? null,
    ignored: verdict.kind === 'replay' ? verdict.first.ignored : verdict.kind === 'accept' && verdict.inputs === null,
    mappedInputs: verdict.kind === 'accept' ? verdict.inputs : null,
  };
}
