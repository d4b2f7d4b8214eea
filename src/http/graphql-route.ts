// GraphQL on one path (SPEC §3): over HTTP through Apollo, and graphql-ws on the same path, with
// one schema, one set of limits and one error format for both.
import type http from 'node:http';
import type https from 'node:https';
import { parse as parseUrl } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { NoSchemaIntrospectionCustomRule, specifiedRules } from 'graphql';
import type { GraphQLContext } from '../graphql/context.ts';
import { costLimit } from '../graphql/cost-limit.ts';
import { depthLimit, nestingError } from '../graphql/depth-limit.ts';
import { formatGraphQLError } from '../graphql/errors.ts';
import { attachGraphqlWs } from '../graphql/graphql-ws.ts';
import { buildSchema } from '../graphql/schema.ts';
import type { DomainError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { requireKey } from './auth.ts';
import { sendJson } from './errors.ts';
import { requestLocals } from './request-locals.ts';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlMount {
  /** Closes the graphql-ws sockets: first, on shutdown. */
  closeSockets(): Promise<void>;
  /** Stops Apollo, once the HTTP server has drained. */
  stop(): Promise<void>;
}

/** `servers`: the HTTP server first (Apollo drains it), then the HTTPS one if any. */
export async function mountGraphql(app: express.Express, servers: [http.Server, ...https.Server[]], services: Services): Promise<GraphqlMount> {
  const [server] = servers;
  const { config, log } = services;
  const schema = buildSchema();
  const formatError = formatGraphQLError(log);
  const limits = [depthLimit(config.graphqlMaxDepth), costLimit(config.graphqlMaxCost)];
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.graphqlIntrospection,
    validationRules: limits,
    formatError,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown: it drains HTTP, then jobs, then closes the database, in that order.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  app.use(
    GRAPHQL_PATH,
    requireKey(services, { refuse: refuseKey }),
    express.json({ limit: config.graphqlMaxBodyBytes }),
    refuseDeepDocuments,
    expressMiddleware(apollo, {
      context: async ({ res }) => ({ services, principal: requestLocals(res).principal, requestId: requestLocals(res).requestId }),
    }),
  );
  // The key comes in connectionParams.authorization.
  const sockets = servers.map((s) => attachGraphqlWs({
    server: s,
    path: GRAPHQL_PATH,
    schema,
    rules: [...specifiedRules, ...limits, ...(config.graphqlIntrospection ? [] : [NoSchemaIntrospectionCustomRule])],
    services,
    formatError,
  }));
  return { closeSockets: async () => void (await Promise.all(sockets.map((ws) => ws.dispose()))), stop: () => apollo.stop() };
}

/** SPEC §4: a missing or bad key is an HTTP 401 before any GraphQL runs, in GraphQL's error shape. */
function refuseKey(res: http.ServerResponse, refusal: DomainError): void {
  res.setHeader('WWW-Authenticate', 'Bearer');
  sendJson(res, 401, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
}

/**
 * Documents nested past graphql/depth-limit.ts's bound are refused before Apollo parses and
 * validates them; its plugins cannot answer 400 that early. The query is read where Apollo reads
 * it: a POST body's `query`, every `query` search parameter of a GET, found by the same url.parse()
 * as @as-integrations/express5's, so that both read the same string.
 */
const refuseDeepDocuments: express.RequestHandler = (req, res, next) => {
  const queries = req.method === 'GET'
    ? new URLSearchParams(parseUrl(req.url).search ?? '').getAll('query')
    : [(req.body as { query?: unknown } | undefined)?.query];
  for (const query of queries) {
    const tooDeep = typeof query === 'string' ? nestingError(query) : undefined;
    if (tooDeep) {
      res.status(400).json({ errors: [{ message: tooDeep.message, extensions: tooDeep.extensions }] });
      return;
    }
  }
  next();
};
