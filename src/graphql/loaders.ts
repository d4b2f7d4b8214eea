// Per-request loaders (STYLE: resolvers are thin): a list's children are read in one query per kind
// for the whole page, not one per row, so `deliveries(first: 100) { edges { node { event subscription
// attempts } } }` costs the same few statements as `first: 10`. The loaders live as long as one
// execution: a query or mutation's context, or, for a live subscription, one update (its payload is
// that execution's root value), so an update never shows what an earlier one cached.
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { EventRecord } from '../events/event-record.ts';
import { eventsByIds } from '../events/queries.ts';
import type { DeliveryAttempt, Session } from '../generated/prisma/client.ts';
import { sessionsByIds, triggersByIds } from '../inbound/queries.ts';
import type { TriggerRecord } from '../inbound/triggers.ts';
import { attemptsOfDeliveries, subscriptionsByIds } from '../outbound/queries.ts';
import type { SubscriptionRecord } from '../outbound/subscriptions.ts';
import type { GraphQLContext } from './context.ts';

export interface Loaders {
  event: DataLoader<string, EventRecord | null>;
  subscription: DataLoader<string, SubscriptionRecord | null>;
  /** A delivery's attempts, oldest first. */
  attempts: DataLoader<string, DeliveryAttempt[]>;
  trigger: DataLoader<string, TriggerRecord | null>;
  session: DataLoader<string, Session | null>;
}

function createLoaders({ services, principal }: GraphQLContext): Loaders {
  return {
    event: new DataLoader((ids) => eventsByIds(services, principal, ids)),
    subscription: new DataLoader((ids) => subscriptionsByIds(services, principal, ids)),
    attempts: new DataLoader((ids) => attemptsOfDeliveries(services, principal, ids)),
    trigger: new DataLoader((ids) => triggersByIds(services, principal, ids)),
    session: new DataLoader((ids) => sessionsByIds(services, principal, ids)),
  };
}

const byExecution = new WeakMap<object, Loaders>();

/** The loaders of the execution a resolver runs in, made on first use (contexts are built in http/ and graphql-ws). */
export function loadersOf(ctx: GraphQLContext, info: GraphQLResolveInfo): Loaders {
  const root: unknown = info.rootValue;
  const scope = info.operation.operation === 'subscription' && typeof root === 'object' && root !== null ? root : ctx;
  let loaders = byExecution.get(scope);
  if (!loaders) byExecution.set(scope, (loaders = createLoaders(ctx)));
  return loaders;
}
