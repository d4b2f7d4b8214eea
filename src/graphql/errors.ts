import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../platform/errors.ts';

/**
 * Domain errors keep their code (and the input field for BAD_USER_INPUT); GraphQL's own errors
 * (syntax, validation) pass through; anything else is logged once and answered without internals.
 */
export function formatGraphQLError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
      };
    }
    if (original instanceof GraphQLError || !(original instanceof Error) || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      return formatted;
    }
    log.error({ err: { message: original.message, stack: original.stack }, path: formatted.path }, 'unexpected error in a resolver');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
