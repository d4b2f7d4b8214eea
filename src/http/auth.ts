// The key check in front of /graphql and /v1/audit/export (/v1/events, a hot route, makes the same
// check itself). It runs before the body is read: without a valid key a huge or malformed body is
// discarded unparsed (SPEC §15: refusals cost bounded work).
import type express from 'express';
import type { Action } from '../auth/principal.ts';
import { authenticateAuthorization } from '../graphql/authenticate.ts';
import type { DomainError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { requestLocals } from './request-locals.ts';

/**
 * Sets the request's principal (request-locals.ts) and goes on, or answers the refusal with
 * `refuse`. A database failure goes to the error handler.
 */
export function requireKey(
  services: Pick<Services, 'pool' | 'realtime' | 'metrics'>,
  options: { action?: Action; refuse: (res: express.Response, refusal: DomainError) => void },
): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const { principal, refusal } = await authenticateAuthorization(services, req.headers.authorization, options.action);
      if (refusal) {
        req.resume();
        options.refuse(res, refusal);
        return;
      }
      requestLocals(res).principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
