import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { auditResolvers } from './resolvers/audit.ts';
import { authResolvers } from './resolvers/auth.ts';
import type { Resolvers } from '../generated/graphql/types.ts';
import { eventResolvers } from './resolvers/events.ts';
import { inboundResolvers } from './resolvers/inbound.ts';
import { outboundResolvers } from './resolvers/outbound.ts';
import { secretResolvers } from './resolvers/secrets.ts';
import { nodeResolvers } from './node-resolver.ts';
import { BigIntScalar, DateTimeScalar, JSONScalar } from './scalars.ts';

export const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

const modules: Resolvers[] = [authResolvers, nodeResolvers, auditResolvers, inboundResolvers, eventResolvers, outboundResolvers, secretResolvers];

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers: [{ DateTime: DateTimeScalar, JSON: JSONScalar, BigInt: BigIntScalar }, ...modules] as never,
    inheritResolversFromInterfaces: true,
  });
}
