// The one place that reads process.env (STYLE: Config). Every variable is listed in README's
// configuration table; a bad value stops start-up with all problems named together.
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

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


const env = z.object({
  PORT: int(4000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: optional(z.url({ protocol: /^https?$/ })),
  ROLE: z.enum(ROLES).default('all'),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
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
  INBOUND_REFUSAL_LIMIT: int(60, 1, 100_000),
  INBOUND_REFUSAL_WINDOW: duration('1m').refine((ms) => ms >= 1000 && ms <= 60_000 && ms % 1000 === 0, 'must be whole seconds from 1s to 1m'),
  INBOUND_MAX_QUEUE: int(1000, 1, 1_000_000),
  AGENT_RUNTIME: z.enum(['echo', 'http']).default('echo'),
  ALLOW_INSECURE_TARGETS: bool(false),
  ALLOW_PRIVATE_TARGETS: bool(false),
  DELIVERY_RETRY_SCHEDULE: durations('5s,5m,30m,2h,5h,10h,10h'),
  DELIVERY_AUTO_DISABLE_AFTER: duration('5d'),
  AUDIT_EXPORT_STALL_MS: int(60_000, 100, 3_600_000),
  AGENT_RUNTIME_URL: optional(z.url({ protocol: /^https?$/ })),
  AGENT_RUNTIME_SECRET: optional(z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_<base64>')),
});

export interface Config {
  role: Role;
  port: number;
  host: string;
  publicUrl: string;
  /** Absent: the process runs its own embedded PostgreSQL. */
  databaseUrl: string | undefined;
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
  /** Refusals recorded per trigger, source address and window; the rest only in a summary row. */
  inboundRefusalLimit: number;
  inboundRefusalWindowMs: number;
  /** Inbound writes waiting for the group commit; past it, 503 with Retry-After. */
  inboundMaxQueue: number;
  agentRuntime: { kind: 'echo' } | { kind: 'http'; url: string; secret: string };
  /** Plain http:// subscription URLs (local work only). */
  allowInsecureTargets: boolean;
  /** Subscription URLs on loopback and private networks (local work and tests only). */
  allowPrivateTargets: boolean;
  /** Wait before each next attempt after a failure (SPEC §7); its length + 1 is the attempt count. */
  deliveryRetryScheduleMs: number[];
  /** A subscription failing without a success for this long is disabled. */
  deliveryAutoDisableAfterMs: number;
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
  if (!bad.has('ROLE') && role !== 'all' && !given('DATABASE_URL')) {
    problems.push(`--role ${String(role)}: needs DATABASE_URL (the embedded database belongs to one process)`);
  }
  if (input.AGENT_RUNTIME === 'http') {
    if (!given('AGENT_RUNTIME_URL')) problems.push('AGENT_RUNTIME_URL: required when AGENT_RUNTIME=http');
    if (!given('AGENT_RUNTIME_SECRET')) problems.push('AGENT_RUNTIME_SECRET: required when AGENT_RUNTIME=http (whsec_<base64>, signs the jobs sent to the runtime)');
  }
  return masterKey;
}

function toConfig(e: z.output<typeof env>, masterKey: Buffer | undefined): Config {
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    role: e.ROLE,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
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
    inboundRefusalLimit: e.INBOUND_REFUSAL_LIMIT,
    inboundRefusalWindowMs: e.INBOUND_REFUSAL_WINDOW,
    inboundMaxQueue: e.INBOUND_MAX_QUEUE,
    agentRuntime: e.AGENT_RUNTIME === 'http'
      ? { kind: 'http', url: e.AGENT_RUNTIME_URL!, secret: e.AGENT_RUNTIME_SECRET! }
      : { kind: 'echo' },
    allowInsecureTargets: e.ALLOW_INSECURE_TARGETS,
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    deliveryRetryScheduleMs: e.DELIVERY_RETRY_SCHEDULE,
    deliveryAutoDisableAfterMs: e.DELIVERY_AUTO_DISABLE_AFTER,
    auditExportStallMs: e.AUDIT_EXPORT_STALL_MS,
  };
}
