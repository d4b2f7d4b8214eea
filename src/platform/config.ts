// The one place that reads process.env (STYLE: Config). Every variable is listed in README's
// configuration table; a bad value stops start-up with all problems named together.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { Statements } from './db/pool.ts';

const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** nginx's $ssl_client_escaped_cert, or Envoy's x-forwarded-client-cert (its Cert="..." element). */
const CLIENT_CERT_HEADER_FORMATS = ['pem-urlencoded', 'envoy-xfcc'] as const;
export type ClientCertHeaderFormat = (typeof CLIENT_CERT_HEADER_FORMATS)[number];

// Empty strings mean "unset", as in a .env file with `FOO=`.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const booleanText = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1');

const bool = (fallback: boolean) =>
  z.preprocess((v) => (v === '' || v === undefined ? String(fallback) : v), booleanText);

/** "250ms", "5s", "5m", "2h", "5d", or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

const durations = (fallback: string) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), z.string()).transform((v, ctx) => {
    const list = v.split(',').map((p) => parseDuration(p));
    if (list.length === 0 || list.some((d) => d === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of durations such as 5s,5m,30m,2h' });
      return z.NEVER;
    }
    return list as number[];
  });

const duration = (fallback: string) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), z.string()).transform((v, ctx) => {
    const d = parseDuration(v);
    if (d === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 5m, 2h or 5d' });
      return z.NEVER;
    }
    return d;
  });

const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? fallback : v),
    z.coerce.number({ error: `must be a whole number from ${min} to ${max}` }).int({ error: `must be a whole number from ${min} to ${max}` })
      .min(min, { error: `must be a whole number from ${min} to ${max}` }).max(max, { error: `must be a whole number from ${min} to ${max}` }),
  );

interface AddressRange {
  kind: 'ipv4' | 'ipv6';
  start: bigint;
  end: bigint;
}

const toBigInt = (bytes: number[]) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

/** An address or CIDR as the first and last address it covers; undefined when it is neither. */
function cidrRange(text: string): AddressRange | undefined {
  if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(text)) return undefined;
  try {
    const [addr, bits] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), text.includes(':') ? 128 : 32];
    const width = addr.kind() === 'ipv4' ? 32n : 128n;
    const host = (1n << (width - BigInt(bits))) - 1n;
    const start = toBigInt(addr.toByteArray()) & ~host;
    return { kind: addr.kind(), start, end: start | host };
  } catch {
    return undefined;
  }
}

const IPV4_MAPPED = 0xffff00000000n; // ::ffff:0:0/96
const IPV4_MAPPED_END = IPV4_MAPPED + 0xffffffffn;

/**
 * Whether the ranges together trust every IPv4 or every IPv6 peer, the way Express's proxy-addr
 * matches them: a peer at an IPv4-mapped address is an IPv4 peer, matched by IPv4 ranges and by
 * ranges inside ::ffff:0:0/96; any other IPv6 range matches native IPv6 peers only.
 */
function coversEverything(ranges: AddressRange[]): 'IPv4' | 'IPv6' | undefined {
  const v4: Array<[bigint, bigint]> = [];
  // No native IPv6 peer has a mapped address: that block counts as covered.
  const v6: Array<[bigint, bigint]> = [[IPV4_MAPPED, IPV4_MAPPED_END]];
  for (const r of ranges) {
    if (r.kind === 'ipv4') v4.push([r.start, r.end]);
    else if (r.start >= IPV4_MAPPED && r.end <= IPV4_MAPPED_END) v4.push([r.start - IPV4_MAPPED, r.end - IPV4_MAPPED]);
    else v6.push([r.start, r.end]);
  }
  const covers = (list: Array<[bigint, bigint]>, last: bigint) => {
    let next = 0n;
    for (const [s, e] of list.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      if (s > next) return false;
      if (e + 1n > next) next = e + 1n;
    }
    return next > last;
  };
  if (covers(v4, 0xffffffffn)) return 'IPv4';
  if (covers(v6, (1n << 128n) - 1n)) return 'IPv6';
  return undefined;
}

// Express's `trust proxy` forms we accept: a hop count or a list of CIDRs. A blanket `true`
// would let any client forge X-Forwarded-For and walk past IP allowlists (SPEC §5).
const trustProxy = z
  .preprocess((v) => (v === '' ? undefined : v), z.string().optional())
  .transform((v, ctx) => {
    if (v === undefined) return false as const;
    if (/^\d+$/.test(v)) return Number(v);
    if (v === 'true') {
      ctx.addIssue({ code: 'custom', message: 'must be a hop count or a list of proxy CIDRs, never "true"' });
      return z.NEVER;
    }
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const named = ['loopback', 'linklocal', 'uniquelocal'];
    const ranges = list.filter((s) => !named.includes(s)).map((s) => [s, cidrRange(s)] as const);
    const bad = ranges.filter(([, r]) => r === undefined).map(([s]) => s);
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not a CIDR: ${bad.join(', ')}` });
      return z.NEVER;
    }
    const all = coversEverything(ranges.map(([, r]) => r!));
    if (all) {
      ctx.addIssue({ code: 'custom', message: `${ranges.map(([s]) => s).join(',')} trusts every ${all} address, as "true" would: any client could choose its own; list your proxies' CIDRs` });
      return z.NEVER;
    }
    return list;
  });

// CSP frame-ancestors sources (SPEC §13): 'none', 'self', or host sources; never a ';' or a quote
// that would end the directive and let a value add directives of its own, and nothing that lets
// any site frame the console: no bare scheme (`https:`) or `*`, no wildcard on a bare suffix (`*.com`).
const SOURCE = /^(?:'self'|(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*\.[a-z0-9-]+\.[a-z0-9.-]+|[a-z0-9][a-z0-9.-]*)(?::(?:\d{1,5}|\*))?(?:\/[^\s;,']*)?)$/i;
const frameAncestors = z
  .preprocess((v) => (v === '' || v === undefined ? "'none'" : v), z.string())
  .transform((v, ctx) => {
    const sources = v.trim().split(/\s+/);
    if (sources.length === 1 && sources[0] === "'none'") return "'none'";
    const bad = sources.filter((s) => !SOURCE.test(s));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not a CSP source: ${bad.join(' ')} (use 'none', 'self' or origins such as https://portal.example.com, separated by spaces)` });
      return z.NEVER;
    }
    return sources.join(' ');
  });

const env = z.object({
  PORT: int(4000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: optional(z.url({ protocol: /^https?$/ })),
  ROLE: z.enum(ROLES).default('all'),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
  DATABASE_OWNER_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
  DATABASE_LISTEN_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
  DATABASE_STATEMENTS: z.preprocess((v) => (v === '' || v === undefined ? 'named' : v), z.enum(['named', 'unnamed'], { error: 'must be named or unnamed' })),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_DIR: optional(z.string()),
  EMBEDDED_PG_PORT: int(54329, 1, 65535),
  MASTER_KEY: optional(z.string()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: trustProxy,
  GRAPHQL_MAX_DEPTH: int(12, 2, 100),
  GRAPHQL_MAX_BODY_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
  GRAPHQL_MAX_COST: int(1500, 10, 1_000_000_000),
  // Unset: on in embedded mode (local work), off with DATABASE_URL.
  GRAPHQL_INTROSPECTION: optional(booleanText),
  GRAPHQL_WS_MAX_BUFFER_BYTES: int(1024 * 1024, 16 * 1024, 256 * 1024 * 1024),
  METRICS_PORT: optional(z.coerce.number({ error: 'must be a port number from 1 to 65535' }).int({ error: 'must be a port number from 1 to 65535' })
    .min(1, { error: 'must be a port number from 1 to 65535' }).max(65535, { error: 'must be a port number from 1 to 65535' })),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),
  INBOUND_MAX_BODY_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
  REPLAY_WINDOW_HOURS: int(168, 1, 24 * 90),
  RETENTION_DAYS: int(30, 1, 3650),
  RETENTION_BATCH_SIZE: int(1000, 1, 100_000),
  RETENTION_DUTY_PERCENT: int(25, 1, 100),
  AUDIT_RETENTION_DAYS: int(400, 1, 36_500),
  INBOUND_REFUSAL_LIMIT: int(60, 1, 100_000),
  INBOUND_REFUSAL_WINDOW: duration('1m').refine((ms) => ms >= 1000 && ms <= 60_000 && ms % 1000 === 0, 'must be whole seconds from 1s to 1m'),
  INBOUND_MAX_QUEUE: int(1000, 1, 1_000_000),
  EVENTS_MAX_BODY_BYTES: int(5 * 1024 * 1024, 1024, 64 * 1024 * 1024),
  AGENT_RUNTIME: z.enum(['echo', 'http']).default('echo'),
  ALLOW_INSECURE_TARGETS: bool(false),
  ALLOW_PRIVATE_TARGETS: bool(false),
  OUTBOUND_DNS_SERVERS: optional(z.string().transform((v, ctx) => {
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.find((s) => !/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]+:[0-9a-fA-F:.]*)$/.test(s));
    if (bad !== undefined || list.length === 0) ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of DNS server addresses (1.1.1.1, 10.0.0.2:5353, [2606:4700::1111]:53)${bad ? `; not "${bad}"` : ''}` });
    return list;
  })),
  DELIVERY_RETRY_SCHEDULE: durations('5s,5m,30m,2h,5h,10h,10h'),
  DELIVERY_AUTO_DISABLE_AFTER: duration('5d'),
  AUDIT_EXPORT_STALL_MS: int(60_000, 100, 3_600_000),
  AGENT_RUNTIME_URL: optional(z.url({ protocol: /^https?$/ })),
  AGENT_RUNTIME_SECRET: optional(z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_<base64>')),
  TLS_CERT_FILE: optional(z.string()),
  TLS_KEY_FILE: optional(z.string()),
  TLS_PORT: int(4443, 0, 65535),
  TLS_CLIENT_CA_FILE: optional(z.string()),
  CLIENT_CERT_HEADER: optional(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name').transform((v) => v.toLowerCase())),
  CLIENT_CERT_HEADER_FORMAT: z.preprocess((v) => (v === '' || v === undefined ? 'pem-urlencoded' : v), z.enum(CLIENT_CERT_HEADER_FORMATS, { error: `must be one of ${CLIENT_CERT_HEADER_FORMATS.join(', ')}` })),
  CONSOLE_FRAME_ANCESTORS: frameAncestors,
  CONSOLE_DIST_DIR: optional(z.string()),
});

export interface Config {
  role: Role;
  port: number;
  host: string;
  publicUrl: string;
  /** Absent: the process runs its own embedded PostgreSQL. */
  databaseUrl: string | undefined;
  /**
   * The owner role's connection (migrations, the audit seal and retention); DATABASE_URL's role is then
   * the service role. Never given to --role api.
   */
  databaseOwnerUrl: string | undefined;
  /**
   * A connection that keeps its session (straight to PostgreSQL, past a transaction pooler): LISTEN,
   * pg-boss's LISTEN, the session advisory locks of start-up. Absent: DATABASE_URL's.
   */
  databaseListenUrl: string | undefined;
  /** `unnamed` for PgBouncer before 1.21 in transaction mode (platform/db/pool.ts). */
  databaseStatements: Statements;
  databasePoolSize: number;
  dataDir: string;
  embeddedPgDir: string;
  embeddedPgPort: number;
  /** 32 bytes; absent only in embedded mode, where it is generated into dataDir. */
  masterKey: Buffer | undefined;
  logLevel: z.infer<typeof env>['LOG_LEVEL'];
  trustProxy: false | number | string[];
  graphqlMaxDepth: number;
  graphqlMaxBodyBytes: number;
  /** Largest static cost of a GraphQL operation (src/graphql/cost-limit.ts). */
  graphqlMaxCost: number;
  graphqlIntrospection: boolean;
  /** Bytes a graphql-ws socket may have waiting to be sent before it is closed as too slow a reader. */
  graphqlWsMaxBufferBytes: number;
  /** Set: /metrics is served on this port only (same HOST), not on the public one. */
  metricsPort: number | undefined;
  shutdownTimeoutMs: number;
  inboundMaxBodyBytes: number;
  replayWindowHours: number;
  /** Days inbound deliveries, events, outbound deliveries and sessions are kept, unless a workspace says otherwise. */
  retentionDays: number;
  /** Rows the retention job removes per statement (each its own short transaction). */
  retentionBatchSize: number;
  /** Share of the time the retention job's connection works: after a statement of t ms it waits t × (100 / duty − 1). */
  retentionDutyPercent: number;
  /** Audit rows older than this are removed through the owner's checkpointed path (SPEC §14). */
  auditRetentionDays: number;
  /** Refusals recorded per trigger, source address and window; the rest only in a summary row. */
  inboundRefusalLimit: number;
  inboundRefusalWindowMs: number;
  /** Inbound writes waiting for the group commit; past it, 503 with Retry-After. */
  inboundMaxQueue: number;
  /** Largest body of POST /v1/events (a batch of up to 500 events). */
  eventsMaxBodyBytes: number;
  agentRuntime: { kind: 'echo' } | { kind: 'http'; url: string; secret: string };
  /** Plain http:// subscription URLs (local work only). */
  allowInsecureTargets: boolean;
  /** Subscription URLs on loopback and private networks (local work and tests only). */
  allowPrivateTargets: boolean;
  /** Set: outbound host names are resolved by these DNS servers, not the system's resolver. */
  outboundDnsServers: string[] | undefined;
  /** Wait before each next attempt after a failure (SPEC §7); its length + 1 is the attempt count. */
  deliveryRetryScheduleMs: number[];
  /** A subscription failing without a success for this long is disabled. */
  deliveryAutoDisableAfterMs: number;
  /** Set: HTTPS on `port` too, same routes; the files are read at start and again on SIGHUP. */
  tls: { certFile: string; keyFile: string; port: number } | undefined;
  /** CAs whose client certificates triggers may require (SPEC §5 mTLS). */
  tlsClientCaFile: string | undefined;
  /** The header a TLS-terminating proxy forwards the client certificate in; believed from TRUST_PROXY peers only. */
  clientCertHeader: { name: string; format: ClientCertHeaderFormat } | undefined;
  /** CSP frame-ancestors of /console: who may embed the console in an iframe. */
  consoleFrameAncestors: string;
  /** The console's build (npm install writes it to console/dist). */
  consoleDistDir: string;
  /** An audit export whose client reads nothing for this long is ended (SPEC §9). */
  auditExportStallMs: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** MASTER_KEY: 32 bytes as base64 or 64 hex digits. */
export function parseMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

function roleFromArgv(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i < 0) return undefined;
  const arg = argv[i]!;
  return arg.includes('=') ? arg.slice('--role='.length) : (argv[i + 1] ?? '');
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const input: Record<string, unknown> = { ...source };
  const argRole = roleFromArgv(argv);
  if (argRole !== undefined) input.ROLE = argRole;

  const parsed = env.safeParse(input);
  const problems: string[] = [];
  const bad = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?');
      bad.add(name);
      if (name === 'ROLE') problems.push(`${argRole !== undefined ? '--role' : 'ROLE'}: must be one of ${ROLES.join(', ')}`);
      else problems.push(`${name}: ${issue.message}`);
    }
  }
  const masterKey = checkAcross(input, bad, problems);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toConfig(parsed.data, masterKey);
}

/**
 * Rules across variables, checked on the raw values so every problem is reported in one go; adds
 * to `problems` and returns MASTER_KEY's bytes when it is given and good.
 */
function checkAcross(input: Record<string, unknown>, bad: Set<string>, problems: string[]): Buffer | undefined {
  const given = (name: string) => typeof input[name] === 'string' && input[name] !== '';
  let masterKey: Buffer | undefined;
  if (given('MASTER_KEY')) {
    masterKey = parseMasterKey(String(input.MASTER_KEY));
    if (!masterKey) problems.push('MASTER_KEY: must be 32 bytes, as base64 or 64 hex digits');
  } else if (given('DATABASE_URL')) {
    problems.push('MASTER_KEY: required when DATABASE_URL is set (it is generated only for the embedded database)');
  }
  const role = input.ROLE ?? 'all';
  if (given('DATABASE_LISTEN_URL') && !given('DATABASE_URL')) problems.push('DATABASE_LISTEN_URL: needs DATABASE_URL (the embedded database has no pooler in between)');
  if (given('DATABASE_OWNER_URL') && !given('DATABASE_URL')) problems.push('DATABASE_OWNER_URL: needs DATABASE_URL (the service role\'s connection)');
  if (given('DATABASE_OWNER_URL') && role === 'api') {
    problems.push('DATABASE_OWNER_URL: never given to --role api (the API runs as the service role only; migrations and retention run in a worker or `all` process)');
  }
  if (!bad.has('ROLE') && role !== 'all' && !given('DATABASE_URL')) {
    problems.push(`--role ${String(role)}: needs DATABASE_URL (the embedded database belongs to one process)`);
  }
  if (input.AGENT_RUNTIME === 'http') {
    if (!given('AGENT_RUNTIME_URL')) problems.push('AGENT_RUNTIME_URL: required when AGENT_RUNTIME=http');
    if (!given('AGENT_RUNTIME_SECRET')) problems.push('AGENT_RUNTIME_SECRET: required when AGENT_RUNTIME=http (whsec_<base64>, signs the jobs sent to the runtime)');
  }
  checkRetention(input, bad, problems);
  tlsProblems(input, given, problems);
  return masterKey;
}

/**
 * SPEC §14: a replay's answer names the first request's delivery and session, so they must be kept
 * at least as long as the replay memory that repeats them.
 */
function checkRetention(input: Record<string, unknown>, bad: Set<string>, problems: string[]): void {
  if (bad.has('RETENTION_DAYS') || bad.has('REPLAY_WINDOW_HOURS')) return;
  const days = Number(input.RETENTION_DAYS || 30);
  const hours = Number(input.REPLAY_WINDOW_HOURS || 168);
  if (days * 24 < hours) {
    problems.push(`RETENTION_DAYS: ${days} days is shorter than the replay window (REPLAY_WINDOW_HOURS=${hours}, ${minimumRetentionDays(hours)} days): `
      + `set RETENTION_DAYS to at least ${minimumRetentionDays(hours)} or shorten the replay window`);
  }
}

/** The shortest retention, in whole days, that outlasts the replay window. */
export const minimumRetentionDays = (replayWindowHours: number): number => Math.ceil(replayWindowHours / 24);


/** The mTLS variables (SPEC §5) that only make sense together. */
function tlsProblems(input: Record<string, unknown>, given: (name: string) => boolean, problems: string[]): void {
  if (given('TLS_CERT_FILE') !== given('TLS_KEY_FILE')) problems.push(`${given('TLS_CERT_FILE') ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'}: required with ${given('TLS_CERT_FILE') ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'} (HTTPS needs both)`);
  const port = (name: string, fallback: number) => (given(name) ? Number(input[name]) : fallback);
  if (given('TLS_CERT_FILE') && port('TLS_PORT', 4443) !== 0 && port('TLS_PORT', 4443) === port('PORT', 4000)) {
    problems.push(`TLS_PORT: ${port('TLS_PORT', 4443)} is PORT too; HTTPS needs a port of its own`);
  }
  if (given('TLS_CLIENT_CA_FILE') && !given('TLS_CERT_FILE') && !given('CLIENT_CERT_HEADER')) {
    problems.push('TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE (the gateway terminates TLS) or CLIENT_CERT_HEADER (a proxy does)');
  }
  if (!given('CLIENT_CERT_HEADER')) return;
  if (!given('TLS_CLIENT_CA_FILE')) problems.push('CLIENT_CERT_HEADER: needs TLS_CLIENT_CA_FILE: the gateway verifies a forwarded certificate itself');
  const trust = typeof input.TRUST_PROXY === 'string' ? input.TRUST_PROXY.trim() : '';
  if (trust === '' || /^\d+$/.test(trust)) {
    problems.push(`CLIENT_CERT_HEADER: needs TRUST_PROXY as a list of your proxies' CIDRs${trust === '' ? '' : `, not a hop count (${trust})`}: the header is believed only from those peers`);
  }
}

function toConfig(e: z.output<typeof env>, masterKey: Buffer | undefined): Config {
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    role: e.ROLE,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    databaseListenUrl: e.DATABASE_LISTEN_URL,
    databaseStatements: e.DATABASE_STATEMENTS,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    embeddedPgDir: path.resolve(e.EMBEDDED_PG_DIR ?? path.join(dataDir, 'postgres')),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    masterKey,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    graphqlMaxDepth: e.GRAPHQL_MAX_DEPTH,
    graphqlMaxBodyBytes: e.GRAPHQL_MAX_BODY_BYTES,
    graphqlMaxCost: e.GRAPHQL_MAX_COST,
    graphqlIntrospection: e.GRAPHQL_INTROSPECTION ?? e.DATABASE_URL === undefined,
    graphqlWsMaxBufferBytes: e.GRAPHQL_WS_MAX_BUFFER_BYTES,
    metricsPort: e.METRICS_PORT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    inboundMaxBodyBytes: e.INBOUND_MAX_BODY_BYTES,
    replayWindowHours: e.REPLAY_WINDOW_HOURS,
    retentionDays: e.RETENTION_DAYS,
    retentionBatchSize: e.RETENTION_BATCH_SIZE,
    retentionDutyPercent: e.RETENTION_DUTY_PERCENT,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    inboundRefusalLimit: e.INBOUND_REFUSAL_LIMIT,
    inboundRefusalWindowMs: e.INBOUND_REFUSAL_WINDOW,
    inboundMaxQueue: e.INBOUND_MAX_QUEUE,
    eventsMaxBodyBytes: e.EVENTS_MAX_BODY_BYTES,
    agentRuntime: e.AGENT_RUNTIME === 'http'
      ? { kind: 'http', url: e.AGENT_RUNTIME_URL!, secret: e.AGENT_RUNTIME_SECRET! }
      : { kind: 'echo' },
    allowInsecureTargets: e.ALLOW_INSECURE_TARGETS,
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    outboundDnsServers: e.OUTBOUND_DNS_SERVERS,
    deliveryRetryScheduleMs: e.DELIVERY_RETRY_SCHEDULE,
    deliveryAutoDisableAfterMs: e.DELIVERY_AUTO_DISABLE_AFTER,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: path.resolve(e.TLS_CERT_FILE), keyFile: path.resolve(e.TLS_KEY_FILE), port: e.TLS_PORT } : undefined,
    tlsClientCaFile: e.TLS_CLIENT_CA_FILE ? path.resolve(e.TLS_CLIENT_CA_FILE) : undefined,
    clientCertHeader: e.CLIENT_CERT_HEADER ? { name: e.CLIENT_CERT_HEADER, format: e.CLIENT_CERT_HEADER_FORMAT } : undefined,
    consoleFrameAncestors: e.CONSOLE_FRAME_ANCESTORS,
    consoleDistDir: path.resolve(e.CONSOLE_DIST_DIR ?? fileURLToPath(new URL('../../console/dist', import.meta.url))),
    auditExportStallMs: e.AUDIT_EXPORT_STALL_MS,
  };
}
