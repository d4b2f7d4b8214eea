// Starts the real service in-process against a fresh test database, on an ephemeral port.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import { after, before } from 'node:test';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { type RunningService, startService } from '../../src/app/service.ts';
import { createTestDatabase, dropTestDatabase } from './db.ts';
import { type Receiver, type ReceiverTls, startReceiver } from './receiver.ts';

export interface TestService extends RunningService {
  url: string;
  databaseUrl: string;
  dataDir: string;
  /** The bootstrap ADMIN key; empty for a replica started on an existing database. */
  adminKey: string;
  workspaceId: string;
}

/** `log`: where the service logs (default: nowhere, or TEST_LOG_LEVEL's level on stdout). */
export async function startTestService(env: Record<string, string> = {}, options: { log?: Logger } = {}): Promise<TestService> {
  const ownDatabase = env.DATABASE_URL === undefined;
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-test-data-'));
  const config = loadConfig(
    {
      DATABASE_URL: databaseUrl,
      MASTER_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_POOL_SIZE: '5',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...env,
    },
    [],
  );
  const service = await startService(config, options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  if (!service.url || (ownDatabase && !service.bootstrap)) {
    await service.stop();
    throw new Error('test service needs the api role (and, on its own database, the first-start bootstrap)');
  }
  const stop = async () => {
    await service.stop();
    if (ownDatabase) await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...service, stop, url: service.url, databaseUrl, dataDir, adminKey: service.bootstrap?.adminKey ?? '', workspaceId: service.bootstrap?.workspaceId ?? '' };
}

/**
 * A suite's gateway (subscriptions may target 127.0.0.1) and a receiver, started before its tests
 * and stopped after them; `use` hands both to the suite's variables. With `https`, the receiver
 * serves HTTPS (subscriptions trust it with `receiver.subscriptionTls`) and the gateway refuses
 * plain http:// targets, as in production.
 */
export function withServiceAndReceiver(use: (svc: TestService, receiver: Receiver) => void, options: { https?: boolean | ReceiverTls } = {}): void {
  let svc: TestService | undefined;
  let receiver: Receiver | undefined;
  before(async () => {
    svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ...(options.https ? {} : { ALLOW_INSECURE_TARGETS: 'true' }) });
    receiver = await startReceiver(options);
    use(svc, receiver);
  });
  after(async () => {
    await svc?.stop();
    await receiver?.close();
  });
}

/**
 * A suite's gateway with a PUBLISHER key, started before its tests; `use` hands both to the suite's
 * variables. The returned function starts a receiver (HTTPS with `receivers.https`, or as it is told)
 * that is closed with the gateway after the suite.
 */
export function withPublishingService(
  env: Record<string, string>, use: (svc: TestService, publisherKey: string) => void, receivers: { https?: boolean | ReceiverTls } = {},
): (options?: { https?: boolean | ReceiverTls }) => Promise<Receiver> {
  let svc: TestService | undefined;
  const started: Receiver[] = [];
  before(async () => {
    svc = await startTestService(env);
    const created = await gqlOk<{ createApiKey: { key: string } }>(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "runtime", role: PUBLISHER}) { key } }');
    use(svc, created.createApiKey.key);
  });
  after(async () => {
    await svc?.stop();
    for (const r of started) await r.close();
  });
  return async (options = receivers) => {
    const r = await startReceiver(options);
    started.push(r);
    return r;
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
  error?: { code: string; message: string };
}

export async function gql<T = Record<string, any>>(
  url: string,
  key: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** A GraphQL request that must succeed: HTTP 200, no errors, data. Returns the data. */
export async function gqlOk<T = Record<string, any>>(url: string, key: string | undefined, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await gql<T>(url, key, query, variables);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  assert.equal(r.status, 200);
  assert.ok(r.data, 'an answer without data');
  return r.data;
}

export function wsClient(url: string, key: string | undefined, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...options,
  });
}

export interface LiveSocket<T = any> {
  client: Client;
  /** The underlying ws socket, once connected (for pause()/resume()). */
  socket: () => WebSocket;
  /** Resolves with the close event the server sent (code, reason). */
  closed: Promise<{ code: number; reason: string }>;
  /** Every `next` payload received, in order. */
  received: T[];
  /** The errors that ended the subscription (graphql-ws `error`: GraphQL errors, or a close event). */
  errors: unknown[];
  /** Resolves when `received` satisfies `test` (checked on each message). */
  until: (test: (received: T[]) => boolean) => Promise<void>;
}

/** A graphql-ws connection with one live subscription, resolved once the server acknowledged it. */
export async function openLiveSocket<T = any>(url: string, key: string, query: string): Promise<LiveSocket<T>> {
  let socket: WebSocket | undefined;
  let connected!: () => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => ((connected = resolve), (failed = reject)));
  let onClosed!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const received: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const client = wsClient(url, key, {
    on: {
      connected: (s) => { socket = s as WebSocket; connected(); },
      closed: (e) => {
        const event = e as { code: number; reason: string };
        onClosed({ code: event.code, reason: String(event.reason) });
        failed(new Error(`closed ${event.code} ${event.reason}`));
      },
    },
  });
  client.subscribe<T>({ query }, {
    next: (r) => { received.push(r as T); for (const w of waiters) w(); },
    error: (e) => { errors.push(e); for (const w of waiters) w(); },
    complete: () => {},
  });
  await ready;
  const until = (test: (r: T[]) => boolean) => new Promise<void>((resolve) => {
    const check = () => { if (test(received)) { waiters.delete(check); resolve(); } };
    waiters.add(check);
    check();
  });
  return { client, socket: () => socket!, closed, received, errors, until };
}

/**
 * A subscription starts when the gateway has read its message, a moment after the connection is
 * acknowledged: sends `probe` (a publish) until every socket has received something, bounded.
 */
export async function untilLive(sockets: LiveSocket[], probe: () => Promise<unknown>, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    await probe();
    const all = Promise.all(sockets.map((s) => s.until((r) => r.length > 0))).then(() => true);
    if (await Promise.race([all, new Promise<false>((r) => setTimeout(() => r(false), 500))])) return;
    if (Date.now() > deadline) throw new Error('the subscriptions never went live');
  }
}

/** Rejects when `promise` has not settled within `ms`: a bound on waiting, not a timing assertion. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]);
}

/** The service's ADMIN key beside a new VIEWER and PUBLISHER key of its workspace, by role. */
export async function keysByRole(svc: TestService): Promise<Record<'ADMIN' | 'VIEWER' | 'PUBLISHER', string>> {
  const make = async (role: 'VIEWER' | 'PUBLISHER') =>
    (await gqlOk<{ createApiKey: { key: string } }>(svc.url, svc.adminKey, `mutation { createApiKey(input: {name: "${role}", role: ${role}}) { key } }`)).createApiKey.key;
  return { ADMIN: svc.adminKey, VIEWER: await make('VIEWER'), PUBLISHER: await make('PUBLISHER') };
}
