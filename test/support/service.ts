// Starts the real service in-process against a fresh test database, on an ephemeral port.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service.ts';
import { createTestDatabase, dropTestDatabase } from './db.ts';

export interface TestService extends RunningService {
  url: string;
  databaseUrl: string;
  dataDir: string;
  /** The bootstrap ADMIN key; empty for a replica started on an existing database. */
  adminKey: string;
  workspaceId: string;
}

export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
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
  const service = await startService(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')).catch((err: unknown) => {
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
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

export function wsClient(url: string, key: string | undefined): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}
