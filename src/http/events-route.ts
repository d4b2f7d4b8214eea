// POST /v1/events (SPEC §6): the runtime's way in, with a PUBLISHER (or ADMIN) key. The body is
// {"type", "data", "idempotencyKey"?}; the answer is 202 with the event id, or an error naming
// the field.
import express from 'express';
import { publishEvent } from '../events/publish.ts';
import { DomainError, badInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { requireKey } from './auth.ts';
import { sendError } from './errors.ts';
import { requestLocals } from './request-locals.ts';

export function eventsRouter(services: Services): express.Router {
  const router = express.Router();
  const { log } = services;
  const keyed = requireKey(services.pool, { action: 'publish', refuse: (res, refusal) => sendError(res, refusal, log) });
  router.post('/v1/events', keyed, express.json({ limit: services.config.inboundMaxBodyBytes }), async (req, res) => {
    try {
      const principal = requestLocals(res).principal!;
      const body = parseBody(req.body);
      const event = await publishEvent(services, principal, { type: body.type, data: body.data, idempotencyKey: body.idempotencyKey as string | undefined });
      res.status(event.created ? 202 : 200).json({ id: event.id, type: event.type, created: event.created });
    } catch (err) {
      sendError(res, err, log);
    }
  });
  return router;
}

function parseBody(body: unknown): { type: string; data: unknown; idempotencyKey: string | undefined } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('BAD_USER_INPUT', 'body must be a JSON object {"type","data","idempotencyKey"?}');
  }
  const { type, data, idempotencyKey } = body as Record<string, unknown>;
  if (typeof type !== 'string') throw badInput('type', 'required string');
  if (idempotencyKey !== undefined && typeof idempotencyKey !== 'string') throw badInput('idempotencyKey', 'must be a string');
  return { type, data, idempotencyKey };
}
