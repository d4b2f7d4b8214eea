// The event catalogue (SPEC §7): one zod schema per event type's `data`. Fields may be added over
// time, never removed; unknown fields are kept (subscribers may see more than is listed here).
import { z } from 'zod';

const sessionId = z.string().min(1);

export const EVENT_SCHEMAS = {
  'session.created': z.looseObject({ sessionId, agent: z.string().min(1), triggerId: z.string().optional(), inputs: z.record(z.string(), z.unknown()) }),
  'session.finished': z.looseObject({
    sessionId, agent: z.string().min(1), status: z.enum(['SUCCEEDED', 'FAILED', 'CANCELLED']),
    output: z.unknown().optional(), error: z.unknown().optional(), durationMs: z.number().int().nonnegative(),
  }),
  'session.archived': z.looseObject({ sessionId }),
  'tool.called': z.looseObject({ sessionId, tool: z.string().min(1), arguments: z.unknown(), callId: z.string().optional() }),
  'tool.error': z.looseObject({
    sessionId, tool: z.string().min(1), callId: z.string().optional(),
    error: z.looseObject({ message: z.string(), code: z.string().optional() }),
  }),
  'review.completed': z.looseObject({ sessionId, reviewId: z.string().min(1), verdict: z.string().min(1), summary: z.string().optional() }),
  'import.completed': z.looseObject({ importId: z.string().min(1), source: z.string().min(1), itemsImported: z.number().int().nonnegative(), itemsFailed: z.number().int().nonnegative() }),
  'cost.threshold_exceeded': z.looseObject({ budgetId: z.string().min(1), scope: z.string().min(1), thresholdUsd: z.number(), spentUsd: z.number(), period: z.string().min(1) }),
  'hook.violation': z.looseObject({ hookId: z.string().min(1), rule: z.string().min(1), severity: z.string().min(1), message: z.string(), sessionId: z.string().optional() }),
  'webhook.ping': z.looseObject({ subscriptionId: z.string().min(1) }),
  'subscription.disabled': z.looseObject({ subscriptionId: z.string().min(1), reason: z.string() }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export const isEventType = (t: string): t is EventType => Object.hasOwn(EVENT_SCHEMAS, t);
