// POST /v1/events (SPEC §6): the runtime's way in, with a PUBLISHER (or ADMIN) key. The body is one
// event {"type", "data", "idempotencyKey"?}, answered 202 with its id (200 when its idempotencyKey
// found an earlier one) or an error naming the field; or an array of up to 500 of them, answered
// 200 with one result per event, in order: its id, or its error naming index and field.
import express from 'express';
import { type PublishedEvent } from '../events/outbox.ts';
import { publishEvent, publishEventInput, publishEvents } from '../events/publish.ts';
import { type DomainError, parseInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { requireKey } from './auth.ts';
import { sendError } from './errors.ts';
import { requestLocals } from './request-locals.ts';
export function eventsRouter(services: Services): express.Router {
  const router = express.Router();
  const { log } = services;
  const keyed = requireKey(services, { action: 'publish', refuse: (res, refusal) => sendError(res, refusal, log) });
  router.post('/v1/events', keyed, express.json({ limit: services.config.eventsMaxBodyBytes }), async (req, res) => {
    try {
      const principal = requestLocals(res).principal!;
      if (Array.isArray(req.body)) {
        const results = await publishEvents(services, principal, req.body as unknown[]);
        res.status(200).json({ results: results.map((r) => ('event' in r ? eventAnswer(r.event) : { error: errorAnswer(r.error) })) });
        return;
      }
      const event = await publishEvent(services, principal, parseInput(publishEventInput, req.body, ''));
      res.status(event.created ? 202 : 200).json(eventAnswer(event));
    } catch (err) {
      sendError(res, err, log);
    }
  });
  return router;
}

const eventAnswer = (e: PublishedEvent) => ({ id: e.id, type: e.type, created: e.created });
const errorAnswer = (e: DomainError) => ({ code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
