// What a request carries through its handling: its id (answered in x-request-id and logged with
// any unexpected error) and, once requireKey has checked its key, its principal. Kept on the
// response, where Express keeps `res.locals`, so the hot routes (hot-routes.ts), which never enter
// Express, carry them the same way.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type express from 'express';
import type { Principal } from '../auth/principal.ts';

export interface RequestLocals {
  requestId: string;
  principal?: Principal;
}

export const requestLocals = (res: ServerResponse): RequestLocals =>
  ((res as ServerResponse & { locals?: RequestLocals }).locals ??= { requestId: '' });

/** Gives the request its id, in its locals and in the answer's x-request-id. */
export function assignRequestId(res: ServerResponse): void {
  const requestId = randomUUID();
  requestLocals(res).requestId = requestId;
  res.setHeader('x-request-id', requestId);
}

export const requestIds: express.RequestHandler = (_req, res, next) => {
  assignRequestId(res);
  next();
};
