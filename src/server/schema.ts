import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { auditResolvers } from '../audit/resolvers.ts';
import { authResolvers } from '../auth/resolvers.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { eventResolvers } from '../events/resolvers.ts';
import { inboundResolvers } from '../inbound/resolvers.ts';
import { outboundResolvers } from '../outbound/resolvers.ts';
import { secretResolvers } from '../secrets/resolvers.ts';
import { nodeResolvers } from './node-resolver.ts';
import { DateTimeScalar, JSONScalar } from './scalars.ts';

export const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

const modules: Resolvers[] = [authResolvers, nodeResolvers, auditResolvers, inboundResolvers, eventResolvers, outboundResolvers, secretResolvers];

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers: [{ DateTime: DateTimeScalar, JSON: JSONScalar }, ...modules] as never,
    inheritResolversFromInterfaces: true,
  });
}
