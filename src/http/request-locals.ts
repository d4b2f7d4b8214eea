// What a request carries through its middleware: its id (answered in x-request-id and logged with
// any unexpected error) and, once its key is checked, its principal.
import { randomUUID } from 'node:crypto';
import type express from 'express';
import type { Principal } from '../auth/principal.ts';

export interface RequestLocals {
  requestId: string;
  principal?: Principal;
}

export const requestLocals = (res: express.Response): RequestLocals => res.locals as RequestLocals;

export const assignRequestId: express.RequestHandler = (_req, res, next) => {
  const requestId = randomUUID();
  requestLocals(res).requestId = requestId;
  res.setHeader('x-request-id', requestId);
  next();
};
