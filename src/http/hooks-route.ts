// POST /hooks/{trigger_id} (SPEC §5). The trigger is looked up (404), the body read as raw bytes
// (413, refused before it is read whole), then the inbound check pipeline (inbound/evaluate.ts)
// decides, verifying before any parsing, and the group-commit writer (inbound/record.ts) records
// what it decided before the answer goes out. 404, 413, 415 and 429 only count in metrics, and
// refusals past the per-source flood limit only in a summary row, so floods cannot write to the
// database without bound. A hot route (hot-routes.ts), served without Express when written plainly.
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import { Gauge } from 'prom-client';
import { auditWriter, headersSha256 } from '../audit/append.ts';
import { subscriptionFilters } from '../events/subscription-filters.ts';
import { type CheckDeps, type Refusal, checkDeps, evaluateRequest, refusals, shownMessageId } from '../inbound/evaluate.ts';
import { type InboundFacts, type InboundRecord, InboundWriter, UnstorableInput, WriterQueueFull } from '../inbound/record.ts';
import { RefusalLimiter } from '../inbound/refusal-limit.ts';
import { type TriggerContext, TriggerCache, loadTriggerContext } from '../inbound/trigger-context.ts';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import { type TrustFn, presentedCertificate } from './client-certificate.ts';
import { sendError, sendJson, sendRefusal } from './errors.ts';
import type { Services } from '../platform/services.ts';
import type { Headers } from '../signing/schemes.ts';

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

const answerRefusal = (res: ServerResponse, r: Refusal) =>
  sendRefusal(res, r, r.retryAfter !== undefined ? { 'Retry-After': String(r.retryAfter) } : {});

const answerRecord = (res: ServerResponse, r: InboundRecord) =>
  sendJson(res, 202, r.ignored ? { deliveryId: r.deliveryId, ignored: true } : { deliveryId: r.deliveryId, sessionId: r.sessionId });

/** What the route holds for its life: the writer, the flood limiter, the trigger cache. */
interface Hooks {
  services: Services;
  checks: CheckDeps;
  writer: InboundWriter;
  floods: RefusalLimiter;
  triggers: TriggerCache;
  count: (outcome: string) => void;
  trust: TrustFn;
}

/** A request as the route sees it. */
interface HookRequest {
  req: IncomingMessage;
  res: ServerResponse;
  triggerId: string;
}

type HooksRoute = (req: IncomingMessage, res: ServerResponse, triggerId: string) => Promise<void>;

export function hooksRoute(services: Services, trust: TrustFn): HooksRoute {
  const { pool, cipher, config, metrics } = services;
  const writer = new InboundWriter(
    { pipeline: services.pipelines.inbound, boss: services.boss, subscriptionFilters: subscriptionFilters(services), audit: auditWriter(services) },
    { replayWindowHours: config.replayWindowHours, maxQueue: config.inboundMaxQueue },
  );
  new Gauge({
    name: 'webhook_gateway_inbound_writes_queued',
    help: 'Inbound requests decided and waiting for the group commit that records them (503 OVERLOADED past INBOUND_MAX_QUEUE)',
    registers: [metrics.registry],
    collect() {
      this.set(writer.queued);
    },
  });
  const triggers = new TriggerCache((id) => loadTriggerContext(pool, cipher, id));
  services.realtime.onTopic('trigger.changed', (_ws, data) => triggers.invalidate((data as { id: string }).id));
  const hooks: Hooks = {
    services, writer, triggers,
    checks: checkDeps(services),
    floods: new RefusalLimiter({ pool, log: services.log, audit: auditWriter(services) }, { limit: config.inboundRefusalLimit, windowMs: config.inboundRefusalWindowMs }),
    count: (outcome) => metrics.inboundRequests.inc({ outcome }),
    trust,
  };
  return (req, res, triggerId) => receive(hooks, { req, res, triggerId });
}

async function receive(h: Hooks, r: HookRequest): Promise<void> {
  const { res } = r;
  const receivedAt = new Date();
  try {
    const t = await h.triggers.get(r.triggerId);
    if (!t) {
      h.count('TRIGGER_NOT_FOUND');
      // Not a byte of the body is read for an unknown trigger: the connection closes behind the
      // answer instead of draining whatever a client streams at a made-up URL.
      res.setHeader('Connection', 'close');
      return answerRefusal(res, refusals.notFound());
    }
    const body = await readWithinLimit(h, r.req, res);
    if (body) await decide(h, t, r, body, receivedAt);
  } catch (err) {
    failed(h, r, err);
  }
}

/** The body, or undefined once it is answered 413 (on its declared length, or as it streams past the limit). */
async function readWithinLimit(h: Hooks, req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  const limit = h.checks.maxBodyBytes;
  try {
    if (Number(req.headers['content-length'] ?? NaN) > limit) throw new BodyTooLarge();
    return await readBody(req, limit);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    h.count('PAYLOAD_TOO_LARGE');
    res.setHeader('Connection', 'close');
    answerRefusal(res, refusals.tooLarge(limit));
    return undefined;
  }
}

async function decide(h: Hooks, t: TriggerContext, { req, res }: HookRequest, body: Buffer, receivedAt: Date): Promise<void> {
  // TRUST_PROXY's reading of the client's address, as Express's req.ip.
  const ip = proxyaddr(req, h.trust);
  const headers = flatHeaders(req);
  const clientCertificate = () => presentedCertificate(req, h.services.config.clientCertHeader, h.trust);
  const { verdict, ev } = await evaluateRequest(h.checks, t, { headers, body, sourceIp: ip, nowSeconds: Math.floor(receivedAt.getTime() / 1000), clientCertificate }, 'live');
  // Only a request that is written hashes its body and headers: a flood refused at 415 or 429, or
  // past its flood limit, costs no hashing.
  const facts = (): InboundFacts => ({
    receivedAt, sourceIp: ip, contentType: headers['content-type'], headersSha256: headersSha256(req.headers),
    payloadSha256: sha256Hex(body), payloadBytes: body.length, messageId: shownMessageId(ev), replayKeys: ev.replayKeys ?? [],
  });
  switch (verdict.kind) {
    case 'refuse':
      return refuse(h, t, ip, res, verdict.refusal, verdict.recorded ? facts : undefined);
    case 'replay':
      await h.writer.write({ kind: 'replay', t, facts: facts(), first: verdict.first });
      h.count('REPLAYED');
      return void answerRecord(res, verdict.first);
    case 'handshake':
      await h.writer.write({ kind: 'handshake', t, facts: facts() });
      h.count('HANDSHAKE');
      return sendJson(res, 200, verdict.reply.kind === 'slack-challenge' ? { challenge: verdict.reply.challenge } : { ok: true, event: 'ping' });
    case 'accept':
      return accept(h, t, ip, res, facts(), verdict.inputs, ev.hops ?? 0);
  }
}

/** Acceptance, or the first answer again when the message id was accepted before (settled at the commit). */
async function accept(h: Hooks, t: TriggerContext, ip: string | undefined, res: ServerResponse, facts: InboundFacts, inputs: Record<string, unknown> | null, hops: number): Promise<void> {
  let result;
  try {
    result = await h.writer.write({ kind: 'accept', t, facts, inputs, hops });
  } catch (err) {
    if (!(err instanceof UnstorableInput)) throw err;
    h.services.log.warn({ err: { message: err.message }, triggerId: t.id }, 'inbound request holds a value the database refused');
    return refuse(h, t, ip, res, refusals.unstorable(), () => facts);
  }
  h.count(result.replayed ? 'REPLAYED' : result.ignored ? 'IGNORED' : 'ACCEPTED');
  answerRecord(res, result);
}

/**
 * A refusal, counted; written (delivery and audit row) when `facts` are given, i.e. one from 403 on
 * but 429, and only up to the per-source flood limit: past it, answered the same but only counted
 * (inbound/refusal-limit.ts).
 */
async function refuse(h: Hooks, t: TriggerContext, ip: string | undefined, res: ServerResponse, r: Refusal, facts?: () => InboundFacts): Promise<void> {
  if (facts && (await h.floods.admit(t, ip, r))) await h.writer.write({ kind: 'refuse', t, facts: facts(), refusal: r });
  h.count(r.code);
  answerRefusal(res, r);
}

function failed(h: Hooks, { res, triggerId }: HookRequest, err: unknown): void {
  if (err instanceof WriterQueueFull) {
    h.count('OVERLOADED');
    return answerRefusal(res, { status: 503, code: 'OVERLOADED', message: 'the gateway has more requests waiting to be recorded than it takes; retry later', retryAfter: 1 });
  }
  if (err instanceof UnstorableInput) {
    h.count('MALFORMED_BODY');
    return answerRefusal(res, refusals.unstorable());
  }
  h.count(sendError(res, err, h.services.log, { triggerId }));
}
