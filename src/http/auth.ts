// The key check in front of /graphql, /v1/audit/export and /v1/events. It runs before the body is
// read: without a valid key a huge or malformed body is discarded unparsed (SPEC §15: refusals
// cost bounded work).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import type { Action, Principal } from '../auth/principal.ts';
import { authenticateAuthorization } from '../graphql/authenticate.ts';
import type { DomainError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { requestLocals } from './request-locals.ts';

type KeyServices = Pick<Services, 'pool' | 'realtime' | 'metrics'>;
type Refuse = (res: ServerResponse, refusal: DomainError) => void;

interface KeyCheck {
  /** What the key must be allowed to do (none: any valid key). */
  action?: Action;
  /** Answers a refusal. */
  refuse: Refuse;
}

/**
 * The principal of the request's key; or undefined once the refusal is answered and the body
 * discarded. A database failure is thrown.
 */
export async function checkKey(services: KeyServices, req: IncomingMessage, res: ServerResponse, { action, refuse }: KeyCheck): Promise<Principal | undefined> {
  const { principal, refusal } = await authenticateAuthorization(services, req.headers.authorization, action);
  if (!refusal) return principal;
  req.resume();
  refuse(res, refusal);
  return undefined;
}

/**
 * checkKey for Express's routes: sets the request's principal (request-locals.ts) and goes on. A
 * database failure goes to the error handler.
 */
export function requireKey(services: KeyServices, check: KeyCheck): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const principal = await checkKey(services, req, res, check);
      if (!principal) return;
      requestLocals(res).principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
