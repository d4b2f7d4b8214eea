// graphql-ws on the HTTP server's /graphql path (SPEC §3, §10, §15). graphql-ws's own `ws` adapter
// (use/ws) is replaced by this one for three reasons:
// - a socket is tied to one API key: revoking the key closes the socket (4403) at once on this
//   replica, on the others when the NOTIFY arrives, and by a sweep every few seconds should a
//   notification be lost; every operation also checks the key again before it runs;
// - at most MAX_LIVE_SUBSCRIPTIONS subscriptions per socket;
// - what waits to be sent is bounded: a reader that stops reading is closed (4008) once more than
//   GRAPHQL_WS_MAX_BUFFER_BYTES wait for it, instead of every update piling up in memory.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import {
  GraphQLError, getOperationAST, parse, validate,
  type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import { WebSocket, WebSocketServer } from 'ws';
import { authenticate, bearerToken, reauthenticate, revokedAmong } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import type { GraphQLContext } from './context.ts';

export const MAX_LIVE_SUBSCRIPTIONS = 100;
/** Same code as a connection refused for a bad key: the key is no longer good. */
export const CLOSE_KEY_REVOKED = CloseCode.Forbidden;
export const CLOSE_SLOW_READER = 4008;
const SWEEP_MS = 5000;
const KEEP_ALIVE_MS = 12_000;

interface Connection {
  socket: WebSocket;
  principal: Principal | undefined;
  /** Ids of this socket's subscription operations, live or just ended. */
  live: Set<string>;
  closing: boolean;
}

type Extra = { connection: Connection };

export interface GraphqlWsOptions {
  server: http.Server;
  path: string;
  schema: GraphQLSchema;
  rules: readonly ValidationRule[];
  services: Services;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

export function attachGraphqlWs({ server, path, schema, rules, services, formatError }: GraphqlWsOptions): { dispose(): Promise<void> } {
  const { config, log, metrics, pool, realtime } = services;
  const wss = new WebSocketServer({ server, path, maxPayload: config.graphqlMaxBodyBytes, handleProtocols });
  const byKey = new Map<string, Set<Connection>>();

  const close = (connection: Connection, code: number, reason: string, metric: 'revoked' | 'slow_reader') => {
    if (connection.closing) return;
    connection.closing = true;
    metrics.graphqlWsClosed.inc({ reason: metric });
    connection.socket.close(code, reason);
  };
  const closeKey = (keyId: string) => {
    for (const connection of byKey.get(keyId) ?? []) close(connection, CLOSE_KEY_REVOKED, 'Forbidden: API key revoked', 'revoked');
  };
  const forget = (connection: Connection) => {
    const keyId = connection.principal?.keyId;
    const set = keyId ? byKey.get(keyId) : undefined;
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) byKey.delete(keyId!);
  };

  const stopRevoked = realtime.onTopic('apikey.revoked', (_workspaceId, data) => closeKey((data as { keyId: string }).keyId));
  // Revocations notified while the LISTEN connection was down never arrive: ask the database, at
  // once when it is back and every few seconds whatever happens.
  const sweep = async () => {
    if (byKey.size === 0) return;
    try {
      for (const keyId of await revokedAmong(pool, [...byKey.keys()])) closeKey(keyId);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'graphql-ws: could not check the open sockets\' keys');
    }
  };
  const stopReconnect = realtime.onReconnect(() => void sweep());
  const sweeper = setInterval(() => void sweep(), SWEEP_MS).unref();

  const refusal = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];

  const graphqlWs = makeServer<Record<string, unknown>, Extra>({
    schema,
    onConnect: async (ctx) => {
      const params = ctx.connectionParams ?? {};
      const principal = await authenticate(pool, bearerToken(params.authorization ?? params.Authorization));
      if (!principal) return false; // closes with 4403 Forbidden
      const connection = ctx.extra.connection;
      connection.principal = principal;
      let set = byKey.get(principal.keyId);
      if (!set) byKey.set(principal.keyId, (set = new Set()));
      set.add(connection);
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      const connection = ctx.extra.connection;
      // The key may have been revoked since the socket opened, on any replica: checked in the
      // database, so even an operation that arrives while the socket is being closed is refused.
      const principal = connection.principal && !connection.closing ? await reauthenticate(pool, connection.principal) : undefined;
      if (!principal) {
        close(connection, CLOSE_KEY_REVOKED, 'Forbidden: API key revoked', 'revoked');
        return refusal('the API key of this connection was revoked', 'UNAUTHENTICATED');
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (err) {
        return [err instanceof GraphQLError ? new GraphQLError(err.message, { nodes: err.nodes, source: err.source, positions: err.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }) : new GraphQLError('unparsable query')];
      }
      const invalid = validate(schema, document, rules);
      if (invalid.length > 0) {
        return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions } }));
      }
      if (getOperationAST(document, payload.operationName)?.operation === 'subscription') {
        for (const liveId of connection.live) if (!(liveId in ctx.subscriptions)) connection.live.delete(liveId);
        if (connection.live.size >= MAX_LIVE_SUBSCRIPTIONS) {
          return refusal(`at most ${MAX_LIVE_SUBSCRIPTIONS} live subscriptions per connection; complete one before starting another`, 'TOO_MANY_SUBSCRIPTIONS');
        }
        connection.live.add(id);
      }
      const contextValue: GraphQLContext = { services, principal, requestId: randomUUID() };
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
    },
    onComplete: (ctx, id) => {
      ctx.extra.connection.live.delete(id);
    },
    // Same error shape as HTTP: domain codes in extensions, no internals.
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
  });

  wss.on('connection', (socket) => {
    const connection: Connection = { socket, principal: undefined, live: new Set(), closing: false };
    socket.on('error', (err) => {
      log.warn({ err: err.message }, 'graphql-ws: socket error');
      socket.terminate();
    });
    // A peer that stops answering pings is gone: its socket and subscriptions are dropped.
    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, KEEP_ALIVE_MS);

    const closed = graphqlWs.opened(
      {
        protocol: socket.protocol,
        // Resolves at once instead of when the bytes reach the kernel: graphql-ws would otherwise
        // stop pulling updates for a reader that stopped reading, and they would queue unseen.
        // What ws holds for this socket is the buffer, and it is bounded here.
        send: async (data) => {
          if (socket.readyState !== WebSocket.OPEN || connection.closing) return;
          if (socket.bufferedAmount + Buffer.byteLength(data) > config.graphqlWsMaxBufferBytes) {
            close(connection, CLOSE_SLOW_READER, `slow reader: over ${config.graphqlWsMaxBufferBytes} bytes waiting to be sent`, 'slow_reader');
            return;
          }
          socket.send(data);
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (raw) => {
            // Nothing more is run for a socket the gateway is closing (revoked key, slow reader).
            if (connection.closing || socket.readyState !== WebSocket.OPEN) return;
            try {
              await cb(String(raw));
            } catch (err) {
              log.error({ err: { message: (err as Error).message, stack: (err as Error).stack } }, 'graphql-ws: unexpected error');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { connection },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      connection.closing = true;
      forget(connection);
      void closed(code, String(reason));
    });
  });

  return {
    dispose: async () => {
      stopRevoked();
      stopReconnect();
      clearInterval(sweeper);
      for (const client of wss.clients) client.close(1001, 'Going away');
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
