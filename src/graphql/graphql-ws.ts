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
import type https from 'node:https';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, makeServer, type Server } from 'graphql-ws';
import {
  GraphQLError, getOperationAST, parse, validate,
  type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import { WebSocket, WebSocketServer } from 'ws';
import { reauthenticate, revokedAmong } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import { authenticateAuthorization } from './authenticate.ts';
import type { GraphQLContext } from './context.ts';
import { nestingError } from './depth-limit.ts';
import { formattedResult, groupKey, LiveGroups, type LiveMember } from './live-groups.ts';

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
  /** Writes one protocol message now, within the socket's bound. */
  send(data: string): void;
}

type Extra = { connection: Connection };
type ProtocolServer = Server<Extra>;

export interface GraphqlWsOptions {
  server: http.Server | https.Server;
  path: string;
  schema: GraphQLSchema;
  rules: readonly ValidationRule[];
  services: Services;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

export function attachGraphqlWs(options: GraphqlWsOptions): { dispose(): Promise<void> } {
  const { server, path, services } = options;
  const wss = new WebSocketServer({ server, path, maxPayload: services.config.graphqlMaxBodyBytes, handleProtocols });
  const sockets = new KeyedSockets(services);
  const protocol = protocolServer(options, sockets);
  wss.on('connection', (socket, request) => serveSocket(socket, request.socket, protocol, sockets, services));
  return {
    dispose: async () => {
      sockets.dispose();
      for (const client of wss.clients) client.close(1001, 'Going away');
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The open sockets by API key: revoking a key closes its sockets. */
class KeyedSockets {
  readonly #byKey = new Map<string, Set<Connection>>();
  readonly #services: Pick<Services, 'log' | 'metrics' | 'pool' | 'realtime'>;
  readonly #stops: Array<() => void>;

  constructor(services: Pick<Services, 'log' | 'metrics' | 'pool' | 'realtime'>) {
    this.#services = services;
    const { realtime } = services;
    const sweeper = setInterval(() => void this.#sweep(), SWEEP_MS).unref();
    this.#stops = [
      realtime.onTopic('apikey.revoked', (_workspaceId, data) => this.#closeKey((data as { keyId: string }).keyId)),
      // Revocations notified while the LISTEN connection was down never arrive: the database is
      // asked at once when it is back, and every few seconds whatever happens.
      realtime.onReconnect(() => void this.#sweep()),
      () => clearInterval(sweeper),
    ];
  }

  add(connection: Connection, principal: Principal): void {
    connection.principal = principal;
    let set = this.#byKey.get(principal.keyId);
    if (!set) this.#byKey.set(principal.keyId, (set = new Set()));
    set.add(connection);
  }

  forget(connection: Connection): void {
    const keyId = connection.principal?.keyId;
    const set = keyId ? this.#byKey.get(keyId) : undefined;
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.#byKey.delete(keyId!);
  }

  close(connection: Connection, code: number, reason: string, metric: 'revoked' | 'slow_reader'): void {
    if (connection.closing) return;
    connection.closing = true;
    this.#services.metrics.graphqlWsClosed.inc({ reason: metric });
    connection.socket.close(code, reason);
  }

  dispose(): void {
    for (const stop of this.#stops) stop();
  }

  #closeKey(keyId: string): void {
    for (const connection of this.#byKey.get(keyId) ?? []) this.close(connection, CLOSE_KEY_REVOKED, 'Forbidden: API key revoked', 'revoked');
  }

  async #sweep(): Promise<void> {
    if (this.#byKey.size === 0) return;
    try {
      for (const keyId of await revokedAmong(this.#services.pool, [...this.#byKey.keys()])) this.#closeKey(keyId);
    } catch (err) {
      this.#services.log.warn({ err: (err as Error).message }, 'graphql-ws: could not check the open sockets\' keys');
    }
  }
}

const refusal = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];

function protocolServer({ schema, rules, services, formatError }: GraphqlWsOptions, sockets: KeyedSockets): ProtocolServer {
  const { pool } = services;
  const groups = new LiveGroups(formatError, services.metrics);
  /** A subscription's group and member, by its context (graphql-ws hands `subscribe` the execution's arguments only). */
  const joining = new WeakMap<object, { key: string; member: LiveMember }>();
  return makeServer<Record<string, unknown>, Extra>({
    schema,
    subscribe: (args) => {
      const { key, member } = joining.get(args.contextValue as object)!;
      return groups.join(key, args, member);
    },
    onConnect: async (ctx) => {
      const params = ctx.connectionParams ?? {};
      const { principal } = await authenticateAuthorization(services, params.authorization ?? params.Authorization);
      if (!principal) return false; // closes with 4403 Forbidden
      sockets.add(ctx.extra.connection, principal);
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      const connection = ctx.extra.connection;
      // The key may have been revoked since the socket opened, on any replica: checked in the
      // database, so even an operation that arrives while the socket is being closed is refused.
      const principal = connection.principal && !connection.closing ? await reauthenticate(pool, connection.principal) : undefined;
      if (!principal) {
        sockets.close(connection, CLOSE_KEY_REVOKED, 'Forbidden: API key revoked', 'revoked');
        return refusal('the API key of this connection was revoked', 'UNAUTHENTICATED');
      }
      const document = parseAndValidate(schema, rules, payload.query);
      if (Array.isArray(document)) return document;
      if (getOperationAST(document, payload.operationName)?.operation === 'subscription') {
        for (const liveId of connection.live) if (!(liveId in ctx.subscriptions)) connection.live.delete(liveId);
        if (connection.live.size >= MAX_LIVE_SUBSCRIPTIONS) {
          return refusal(`at most ${MAX_LIVE_SUBSCRIPTIONS} live subscriptions per connection; complete one before starting another`, 'TOO_MANY_SUBSCRIPTIONS');
        }
        connection.live.add(id);
      }
      const contextValue: GraphQLContext = { services, principal, requestId: randomUUID() };
      joining.set(contextValue, { key: groupKey(principal, payload), member: { id, send: (frame) => connection.send(frame) } });
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
    },
    onComplete: (ctx, id) => {
      ctx.extra.connection.live.delete(id);
    },
    // Same error shape as HTTP: domain codes in extensions, no internals.
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    onNext: (_ctx, _id, _payload, _args, result) => formattedResult(result, formatError),
  });
}

/** What Apollo does before it runs an operation, with the same limits and codes: the document, or its errors. */
function parseAndValidate(schema: GraphQLSchema, rules: readonly ValidationRule[], query: string): DocumentNode | GraphQLError[] {
  const tooDeep = nestingError(query);
  if (tooDeep) return [tooDeep];
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return [err instanceof GraphQLError ? new GraphQLError(err.message, { nodes: err.nodes, source: err.source, positions: err.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }) : new GraphQLError('unparsable query')];
  }
  const invalid = validate(schema, document, rules);
  if (invalid.length > 0) {
    return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions } }));
  }
  return document;
}

/**
 * Bytes of one turn's writes held back at most (a quarter of the bound if less): past it they leave
 * at once, so what the bound counts is mostly what the peer has not read.
 */
const CORK_BYTES = 16 * 1024;

/**
 * A connection's send: at once, never waiting for the peer, within GRAPHQL_WS_MAX_BUFFER_BYTES (past
 * it the socket is closed, 4008). What is sent in one turn of the event loop (the updates of every
 * message read meanwhile) leaves in one write, up to CORK_BYTES: once an update is executed once for
 * all its watchers, the write call per socket, not the bytes, was most of what it cost.
 */
function boundedSend(connection: Connection, raw: Duplex, sockets: KeyedSockets, maxBytes: number): (data: string) => void {
  const corkBytes = Math.min(CORK_BYTES, maxBytes / 4);
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    raw.uncork();
  };
  return (data) => {
    const { socket } = connection;
    if (socket.readyState !== WebSocket.OPEN || connection.closing) return;
    if (socket.bufferedAmount + Buffer.byteLength(data) > maxBytes) {
      sockets.close(connection, CLOSE_SLOW_READER, `slow reader: over ${maxBytes} bytes waiting to be sent`, 'slow_reader');
      return;
    }
    if (!corked) {
      corked = true;
      raw.cork();
      setImmediate(flush);
    }
    socket.send(data);
    if (raw.writableLength >= corkBytes) flush();
  };
}

function serveSocket(socket: WebSocket, raw: Duplex, protocol: ProtocolServer, sockets: KeyedSockets, services: Pick<Services, 'config' | 'log'>): void {
  const { config, log } = services;
  const connection: Connection = { socket, principal: undefined, live: new Set(), closing: false, send: () => {} };
  connection.send = boundedSend(connection, raw, sockets, config.graphqlWsMaxBufferBytes);
  socket.on('error', (err) => {
    log.warn({ err: err.message }, 'graphql-ws: socket error');
    socket.terminate();
  });
  const stopKeepAlive = keepAlive(socket);
  const closed = protocol.opened(
    {
      protocol: socket.protocol,
      // Resolves at once instead of when the bytes reach the kernel: graphql-ws would otherwise
      // stop pulling updates for a reader that stopped reading, and they would queue unseen.
      // What ws holds for this socket is the buffer, and it is bounded here.
      send: async (data) => connection.send(data),
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
    stopKeepAlive();
    connection.closing = true;
    sockets.forget(connection);
    void closed(code, String(reason));
  });
}

/** A peer that stops answering pings is gone: its socket and subscriptions are dropped. */
function keepAlive(socket: WebSocket): () => void {
  let alive = true;
  socket.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, KEEP_ALIVE_MS);
  return () => clearInterval(timer);
}
