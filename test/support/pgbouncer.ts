// A real PgBouncer (Debian's package, /usr/sbin/pgbouncer) in front of one test database, started
// and stopped by the test. Not installed is a failure with the command that installs it, never a skip.
import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { until } from './wait.ts';

export const PGBOUNCER = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** `databaseUrl` with PgBouncer's address in place of PostgreSQL's. */
  url: string;
  /** What PgBouncer wrote so far (its log goes to stderr). */
  log: () => string;
  /** The PostgreSQL backend pids of PgBouncer's server connections (its console's SHOW SERVERS). */
  serverPids(): Promise<number[]>;
  stop(): Promise<void>;
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = net.createServer().once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo;
    server.close(() => resolve(port));
  });
});

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

/**
 * PgBouncer in `poolMode` for `databaseUrl`'s server and user (scram-sha-256 both ways, with the
 * password in its auth_file), on 127.0.0.1 and a free port. Each transaction may get a different
 * server connection: `serverRoundRobin` hands them out in turn rather than the last one used.
 */
export async function startPgBouncer(databaseUrl: string, options: { poolMode?: 'transaction' | 'session'; poolSize?: number } = {}): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER)) {
    throw new Error(`${PGBOUNCER} is missing: this test runs the gateway through Debian's PgBouncer; install it with \`apt-get install -y pgbouncer\` (.ci/run does)`);
  }
  const server = new URL(databaseUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-pgbouncer-'));
  const port = await freePort();
  const user = decodeURIComponent(server.username);
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  writeFileSync(path.join(dir, 'users.txt'), `${quote(user)} ${quote(decodeURIComponent(server.password))}\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${path.join(dir, 'users.txt')}`,
    `pool_mode = ${options.poolMode ?? 'transaction'}`,
    `default_pool_size = ${options.poolSize ?? 4}`,
    'max_client_conn = 200',
    `admin_users = ${user}`,
    'server_round_robin = 1',
    '',
  ].join('\n'));
  // PgBouncer refuses to run as root: there it drops to `nobody`, who must read its files.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    for (const f of ['users.txt', 'pgbouncer.ini']) chownSync(path.join(dir, f), 65534, 65534);
  }
  const child: ChildProcess = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'nobody'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}):\n${log}`);
      return accepts(port);
    }, 'pgbouncer to listen', 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const serverPids = async () => {
    const consoleUrl = new URL(url);
    consoleUrl.pathname = '/pgbouncer';
    const admin = new pg.Client({ connectionString: consoleUrl.toString() });
    await admin.connect();
    try {
      return (await admin.query<{ remote_pid: string }>('SHOW SERVERS')).rows.map((r) => Number(r.remote_pid));
    } finally {
      await admin.end();
    }
  };
  return { url: url.toString(), log: () => log, serverPids, stop };
}
