import type { Resolvers } from '../../generated/graphql/types.ts';
import type { EventRecord } from '../../events/event-record.ts';
import { publishEvent, publishEvents } from '../../events/publish.ts';
import { eventCatalog } from '../../events/queries.ts';

const envelope = (e: EventRecord) => JSON.parse(e.body) as { timestamp: string; data: unknown };

export const eventResolvers: Resolvers = {
  Query: {
    eventCatalog: (_p, _a, { principal }) => eventCatalog(principal),
  },
  Mutation: {
    publishEvent: async (_p, { input }, { services, principal }) => {
      const event = await publishEvent(services, principal, { type: input.type, data: input.data, idempotencyKey: input.idempotencyKey });
      return { event: { ...event, idempotencyKey: input.idempotencyKey ?? null } };
    },
    publishEvents: async (_p, { input }, { services, principal }) => {
      const results = await publishEvents(services, principal, input.events);
      return {
        results: results.map((r, index) => ('event' in r
          ? { index, event: { ...r.event, idempotencyKey: input.events[index]!.idempotencyKey ?? null } }
          : { index, error: { code: r.error.code, message: r.error.message, field: r.error.field ?? null } })),
      };
    },
  },
  Event: {
    timestamp: (e) => new Date(envelope(e).timestamp),
    data: (e) => envelope(e).data,
  },
};
