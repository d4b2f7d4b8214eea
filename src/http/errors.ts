// The one mapping from what went wrong to a plain HTTP answer, {"error":{"code","message"}} (STYLE:
// Errors), for every route but GraphQL's own answers (graphql/errors.ts): domain errors by their
// code, an unreachable database as 503 with Retry-After, what Express's body parsers refuse as 4xx,
// and anything else as a 500 that names the request and is logged once.
import type { ServerResponse } from 'node:http';
import type express from 'express';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../platform/database-errors.ts';
import { DomainError, type ErrorCode } from '../platform/errors.ts';
import { requestLocals } from './request-locals.ts';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

export interface HttpRefusal {
  status: number;
  code: string;
  message: string;
  /** The input field at fault, for BAD_USER_INPUT (and a repeated idempotencyKey's CONFLICT). */
  field?: string;
}

/** A JSON answer, on Express's routes and the hot routes alike (which have no res.json). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Writes a refusal: the one place the error body is shaped. */
export function sendRefusal(res: ServerResponse, refusal: HttpRefusal, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const { status, code, message, field } = refusal;
  sendJson(res, status, { error: { code, message, ...(field ? { field } : {}) } });
}

/** Answers `err` as its refusal and returns the code answered (routes count outcomes by it). */
export function sendError(res: ServerResponse, err: unknown, log: Logger, context: Record<string, unknown> = {}): string {
  if (err instanceof DomainError) {
    // SPEC §4: a 401 names the scheme that would be accepted.
    const headers: Record<string, string> = err.code === 'UNAUTHENTICATED' ? { 'WWW-Authenticate': 'Bearer' } : {};
    sendRefusal(res, { status: HTTP_STATUS[err.code], code: err.code, message: err.message, field: err.field }, headers);
    return err.code;
  }
  const clientError = clientErrorRefusal(err);
  if (clientError) {
    sendRefusal(res, clientError);
    return clientError.code;
  }
  if (isDatabaseUnavailable(err)) {
    sendRefusal(res, { status: 503, code: 'UNAVAILABLE', message: 'the gateway cannot reach its database; retry later' }, { 'Retry-After': '5' });
    return 'UNAVAILABLE';
  }
  const requestId = requestLocals(res).requestId;
  const e = err as Error | undefined;
  log.error({ ...context, requestId, err: { message: e?.message, stack: e?.stack } }, 'unexpected error');
  sendRefusal(res, { status: 500, code: 'INTERNAL', message: `internal error (request ${requestId})` });
  return 'INTERNAL';
}

/**
 * Errors that carry their own 4xx status (express.json()'s, a malformed URL's); only those marked
 * `expose` have a message fit to show.
 */
function clientErrorRefusal(err: unknown): HttpRefusal | undefined {
  const e = err as { status?: unknown; expose?: boolean; message?: string; limit?: unknown } | undefined;
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  if (e.status === 413) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: typeof e.limit === 'number' ? `request body exceeds ${e.limit} bytes` : 'request body too large' };
  }
  return { status: e.status, code: 'BAD_REQUEST', message: e.expose && e.message ? e.message : 'bad request' };
}

export const noSuchRoute: express.RequestHandler = (_req, res) => {
  sendRefusal(res, { status: 404, code: 'NOT_FOUND', message: 'no such route' });
};

/** Express's error handler: what a route or middleware passed to next(err). */
export function errorHandler(log: Logger): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    sendError(res, err, log);
  };
}
