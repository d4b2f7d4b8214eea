// Expected failures carry a stable code; graphql/errors.ts maps it to extensions.code and
// http/errors.ts to {"error":{"code","message"}} with its HTTP status (STYLE: Errors).
import type { z } from 'zod';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFLICT';

export class DomainError extends Error {
  readonly code: ErrorCode;
  /** Input field path, for BAD_USER_INPUT. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} not found`);
export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', `${field}: ${message}`, field);

/** zod issues become BAD_USER_INPUT naming the field path (`inputs.1.path`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw badInput(path ? prefix + path : prefix.replace(/\.$/, '') || 'input', issue.message);
  }
  return parsed.data;
}
