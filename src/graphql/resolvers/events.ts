import { publish } from '../../agent/publish-service.ts';
import { assertCan } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/graphql/types.ts';
import { eventJsonSchemas } from '../../events/catalog.ts';
import type { EventRecord } from '../../events/event-record.ts';

const envelope = (e: EventRecord) => JSON.parse(e.body) as { timestamp: string; data: unknown };

export const eventResolvers: Resolvers = {
  Query: {
    // Any key may read the catalogue: publishers need the schemas as much as subscribers do.
    eventCatalog: (_p, _a, { principal }) => {
      if (!principal) assertCan(principal, 'read');
      return eventJsonSchemas();
    },
  },
  Mutation: {
    publishEvent: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'publish');
      const event = await publish(services, { workspaceId, type: input.type, data: input.data, idempotencyKey: input.idempotencyKey });
      return { event: { ...event, idempotencyKey: input.idempotencyKey ?? null } };
    },
  },
  Event: {
    timestamp: (e) => new Date(envelope(e).timestamp),
    data: (e) => envelope(e).data,
  },
};
