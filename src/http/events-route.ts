// POST /v1/events (SPEC §6): the runtime's way in, with a PUBLISHER (or ADMIN) key. The body is one
// event {"type", "data", "idempotencyKey"?}, answered 202 with its id (200 when its idempotencyKey
// found an earlier one) or an error naming the field; or an array of up to 500 of them, answered
// 200 with one result per event, in order: its id, or its error naming index and field.
// A hot route (hot-routes.ts), served without Express when written plainly; the key is checked
// before the body is read (auth.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { type PublishedEvent } from '../events/outbox.ts';
import { publishEvent, publishEventInput, publishEvents } from '../events/publish.ts';
import { type DomainError, parseInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { checkKey } from './auth.ts';
import { sendError, sendJson } from './errors.ts';

type EventsRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function eventsRoute(services: Services): EventsRoute {
  const { log } = services;
  // body-parser's JSON reading as Express's routes have it (limit, charset, gzip, strict), called
  // on its own: it needs nothing of Express.
  const json = express.json({ limit: services.config.eventsMaxBodyBytes }) as unknown as
    (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  const readJson = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<unknown>((resolve, reject) => json(req, res, (err) => (err ? reject(err) : resolve((req as IncomingMessage & { body?: unknown }).body))));
  const keyCheck = { action: 'publish' as const, refuse: (r: ServerResponse, refusal: DomainError) => sendError(r, refusal, log) };
  return async (req, res) => {
    try {
      const principal = await checkKey(services, req, res, keyCheck);
      if (!principal) return;
      const body = await readJson(req, res);
      if (Array.isArray(body)) {
        const results = await publishEvents(services, principal, body as unknown[]);
        sendJson(res, 200, { results: results.map((r) => ('event' in r ? eventAnswer(r.event) : { error: errorAnswer(r.error) })) });
        return;
      }
      const event = await publishEvent(services, principal, parseInput(publishEventInput, body, ''));
      sendJson(res, event.created ? 202 : 200, eventAnswer(event));
    } catch (err) {
      sendError(res, err, log);
    }
  };
}

const eventAnswer = (e: PublishedEvent) => ({ id: e.id, type: e.type, created: e.created });
const errorAnswer = (e: DomainError) => ({ code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
