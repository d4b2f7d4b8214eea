// Runs the real entry point (bin/webhook-gateway.mjs) as a child process and reads its output.
import { type ChildProcess, spawn } from 'node:child_process';
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

export function spawnGateway(env: Record<string, string>, options: { cwd?: string; args?: string[] } = {}): GatewayProcess {
  const child = spawn(process.execPath, [`${ROOT}bin/webhook-gateway.mjs`, ...(options.args ?? [])], {
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

export const freePort = () => 20000 + Math.floor(Math.random() * 30000);
