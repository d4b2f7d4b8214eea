// POST /hooks/{trigger_id} (SPEC §5). The body is read as raw bytes (refused at the limit before it
// is read whole) and verified before any parsing. Checks in order: 404 → 413 → 415 → 403 (IP
// allowlist, webhook loop) → 429 → 401 → replay → 400; the first that fails answers {"error":{"code","message"}}. 404 and 429 only
// count in metrics, and refusals past the per-source flood limit only in a summary row, so floods
// cannot write to the database without bound.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { headersSha256, sha256Hex } from '../audit/append.ts';
import { subscriptionFilters } from '../events/subscription-filters.ts';
import type { Services } from '../platform/services.ts';
import type { Metrics } from '../platform/metrics.ts';
import { isDatabaseUnavailable } from '../platform/database-errors.ts';
import type { Headers } from '../signing/schemes.ts';
import { type Evaluation, type Refusal, bodyChecks, preChecks, refusals, shownMessageId, signatureCheck } from '../inbound/evaluate.ts';
import { hit } from '../platform/db/rate-limit.ts';
import { type InboundFacts, InboundWriter, WriterQueueFull, findReplay } from '../inbound/record.ts';
import { RefusalLimiter } from '../inbound/refusal-limit.ts';
import { TriggerCache, loadTriggerContext } from '../inbound/trigger-context.ts';

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

const refuse = (res: express.Response, r: Refusal, extra: Record<string, string> = {}) => {
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.status(r.status).json({ error: { code: r.code, message: r.message } });
};

export function hooksRouter(services: Services, metrics: Metrics): express.Router {
  const { pool, cipher, config } = services;
  const writer = new InboundWriter(
    { pipeline: services.pipelines.inbound, boss: services.boss, subscriptionFilters: subscriptionFilters(services) },
    { replayWindowHours: config.replayWindowHours, maxQueue: config.inboundMaxQueue },
  );
  const floods = new RefusalLimiter({ pool, log: services.log }, { limit: config.inboundRefusalLimit, windowMs: config.inboundRefusalWindowMs });
  const triggers = new TriggerCache((id) => loadTriggerContext(pool, cipher, id));
  services.realtime.onTopic('trigger.changed', (_ws, data) => triggers.invalidate((data as { id: string }).id));
  const router = express.Router();
  const count = (outcome: string) => metrics.inboundRequests.inc({ outcome });

  router.post('/hooks/:triggerId', async (req, res) => {
    const receivedAt = new Date();
    try {
      const t = await triggers.get(req.params.triggerId);
      if (!t) {
        count('TRIGGER_NOT_FOUND');
        // Not a byte of the body is read for an unknown trigger: the connection closes behind the
        // answer instead of draining whatever a client streams at a made-up URL.
        res.setHeader('Connection', 'close');
        return refuse(res, refusals.notFound());
      }
      const limit = config.inboundMaxBodyBytes;
      const declared = Number(req.headers['content-length'] ?? NaN);
      let body: Buffer;
      try {
        if (declared > limit) throw new BodyTooLarge();
        body = await readBody(req, limit);
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) throw err;
        count('PAYLOAD_TOO_LARGE');
        res.setHeader('Connection', 'close');
        return refuse(res, refusals.tooLarge(limit));
      }

      const headers = flatHeaders(req);
      const facts: InboundFacts = {
        receivedAt, sourceIp: req.ip, contentType: headers['content-type'], headersSha256: headersSha256(req.headers),
        payloadSha256: sha256Hex(body), payloadBytes: body.length, messageId: undefined, replayKeys: [],
      };
      const request = { headers, body, sourceIp: req.ip, nowSeconds: Math.floor(receivedAt.getTime() / 1000) };
      const ev: Evaluation = { checks: [] };
      // Past the flood limit a refusal is answered the same, but only counted (refusal-limit.ts).
      const refused = async (r: Refusal) => {
        if (await floods.admit(t, req.ip, r)) await writer.write({ kind: 'refuse', t, facts, refusal: r });
        count(r.code);
        refuse(res, r);
      };
      const answer = (r: { deliveryId: string; sessionId: string | null; ignored: boolean }) =>
        res.status(202).json(r.ignored ? { deliveryId: r.deliveryId, ignored: true } : { deliveryId: r.deliveryId, sessionId: r.sessionId });

      const kind = preChecks(t, request, services.deploymentId, ev);
      if (!kind) {
        if (ev.refusal!.status === 415) {
          count(ev.refusal!.code);
          return refuse(res, ev.refusal!);
        }
        return await refused(ev.refusal!);
      }
      if (t.rateLimitPerSecond !== null && !(await hit(pool, `trigger:${t.id}`, t.rateLimitPerSecond))) {
        count('RATE_LIMITED');
        return refuse(res, refusals.rateLimited(t.rateLimitPerSecond), { 'Retry-After': '1' });
      }
      if (!signatureCheck(t, request, ev)) return await refused(ev.refusal!);
      facts.messageId = shownMessageId(ev);
      facts.replayKeys = ev.replayKeys!;

      bodyChecks(t, kind, request, ev);
      if (ev.refusal) {
        // Replay comes before the body check: a retry of an accepted message gets its first answer.
        const first = await findReplay(pool, t, facts.replayKeys, config.replayWindowHours);
        if (!first) return await refused(ev.refusal);
        await writer.write({ kind: 'replay', t, facts, first });
        count('REPLAYED');
        return answer(first);
      }
      if (ev.reply) {
        await writer.write({ kind: 'handshake', t, facts });
        count('HANDSHAKE');
        return ev.reply.kind === 'slack-challenge'
          ? res.status(200).json({ challenge: ev.reply.challenge })
          : res.status(200).json({ ok: true, event: 'ping' });
      }
      // Acceptance, or the first answer again when the message id was accepted before.
      const result = await writer.write({ kind: 'accept', t, facts, inputs: ev.ignored ? null : ev.inputs!, hops: ev.hops! });
      count(result.replayed ? 'REPLAYED' : result.ignored ? 'IGNORED' : 'ACCEPTED');
      return answer(result);
    } catch (err) {
      if (err instanceof WriterQueueFull) {
        count('OVERLOADED');
        return refuse(res, { status: 503, code: 'OVERLOADED', message: 'the gateway has more requests waiting to be recorded than it takes; retry later' }, { 'Retry-After': '1' });
      }
      if (isDatabaseUnavailable(err)) {
        count('UNAVAILABLE');
        return refuse(res, { status: 503, code: 'UNAVAILABLE', message: 'the gateway cannot reach its database; retry later' }, { 'Retry-After': '5' });
      }
      services.log.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, triggerId: req.params.triggerId }, 'inbound webhook failed');
      count('INTERNAL');
      return refuse(res, { status: 500, code: 'INTERNAL', message: `internal error (request ${res.getHeader('x-request-id')})` });
    }
  });
  return router;
}
