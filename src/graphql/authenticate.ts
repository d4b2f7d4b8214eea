// SPEC §4: the one way from an Authorization value (the HTTP header, or graphql-ws's
// connectionParams.authorization) to the caller, for GraphQL over HTTP, graphql-ws and /v1/events.
// It sits here, below http/, so that graphql-ws can use it too.
import { authenticate, bearerToken } from '../auth/api-keys.ts';
import { type Action, type Principal, assertCan } from '../auth/principal.ts';
import { DomainError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';

export type Authentication = { principal: Principal; refusal?: undefined } | { principal?: undefined; refusal: DomainError };

/**
 * The principal `authorization` stands for; else a refusal: UNAUTHENTICATED for a missing,
 * malformed, unknown or revoked key, FORBIDDEN for a key whose role may not do `action`.
 */
export async function authenticateAuthorization(
  services: Pick<Services, 'pool' | 'realtime' | 'metrics'>, authorization: unknown, action?: Action,
): Promise<Authentication> {
  const principal = await authenticate(services, bearerToken(authorization));
  if (!principal) return { refusal: new DomainError('UNAUTHENTICATED', 'a valid API key is required (Authorization: Bearer <key>)') };
  if (action) {
    try {
      assertCan(principal, action);
    } catch (err) {
      return { refusal: err as DomainError };
    }
  }
  return { principal };
}
