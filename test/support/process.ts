// Runs the real entry point (bin/webhook-gateway.mjs) as a child process and reads its output.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** JSON log lines printed so far. */
  logs: () => Array<Record<string, any>>;
  waitForLog: (msg: string, timeoutMs?: number) => Promise<Record<string, any>>;
  exited: Promise<number | null>;
}

/** `nodeArgs` go to node itself, before the entry point (e.g. `--max-old-space-size=64`). */
export function spawnGateway(env: Record<string, string>, options: { cwd?: string; args?: string[]; nodeArgs?: string[] } = {}): GatewayProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), `${ROOT}bin/webhook-gateway.mjs`, ...(options.args ?? [])], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logs = () =>
    out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  const waitForLog = async (msg: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = logs().find((l) => l.msg === msg);
      if (hit) return hit;
      if (child.exitCode !== null) throw new Error(`gateway exited (${child.exitCode}) before "${msg}":\n${out}\n${err}`);
      if (Date.now() > deadline) throw new Error(`no "${msg}" within ${timeoutMs} ms:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, stdout: () => out, stderr: () => err, logs, waitForLog, exited };
}

/**
 * A port for a server a test starts itself, below Linux's ephemeral range (32768 on): every
 * socket another test opens on port 0, or connects from, takes one of those, and a pick inside it
 * once lost the race (the embedded server could not bind it).
 */
export const freePort = () => 20000 + Math.floor(Math.random() * 12000);

export interface GatewayOnDatabase {
  gw: GatewayProcess;
  url: string;
  /** The ADMIN key the first start created (DATA_DIR/admin-key). */
  adminKey: string;
  /** SIGTERM, then SIGKILL if the process does not exit (a blocked event loop runs no handler). */
  stop: () => Promise<void>;
}

/** The real entry point as a child process on an existing (migrated, empty) test database. */
export async function startGatewayOnDatabase(
  databaseUrl: string, env: Record<string, string> = {}, options: { nodeArgs?: string[] } = {},
): Promise<GatewayOnDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-child-'));
  const gw = spawnGateway({
    DATABASE_URL: databaseUrl, MASTER_KEY: randomBytes(32).toString('base64'), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir,
    DATABASE_POOL_SIZE: '5', SHUTDOWN_TIMEOUT_MS: '2000', ...env,
  }, options);
  const stop = async () => {
    if (gw.child.exitCode === null && gw.child.signalCode === null) {
      gw.child.kill('SIGTERM');
      const killer = setTimeout(() => gw.child.kill('SIGKILL'), 5000);
      await gw.exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const started = await gw.waitForLog('webhook gateway started', 60_000);
    return { gw, url: started.url as string, adminKey: readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim(), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
