import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/platform/config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');

function problems(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig(env, argv);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults for the embedded quick start', () => {
    const c = loadConfig({}, []);
    assert.equal(c.port, 4000);
    assert.equal(c.role, 'all');
    assert.equal(c.publicUrl, 'http://localhost:4000');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.masterKey, undefined);
    assert.equal(c.dataDir, path.resolve('.data'));
    assert.equal(c.embeddedPgDir, path.resolve('.data/postgres'));
    assert.equal(c.trustProxy, false);
  });

  it('reads every variable, treating empty strings as unset', () => {
    const c = loadConfig({
      PORT: '8080', PUBLIC_URL: 'https://hooks.example.com/', DATABASE_URL: 'postgres://u:p@db/x', MASTER_KEY: KEY,
      EMBEDDED_PG_DIR: '', TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,loopback', LOG_LEVEL: 'warn', GRAPHQL_MAX_DEPTH: '',
    }, ['--role', 'worker']);
    assert.equal(c.port, 8080);
    assert.equal(c.publicUrl, 'https://hooks.example.com');
    assert.equal(c.role, 'worker');
    assert.deepEqual(c.masterKey, Buffer.alloc(32, 7));
    assert.deepEqual(c.trustProxy, ['10.0.0.0/8', '127.0.0.1', 'loopback']);
    assert.equal(c.graphqlMaxDepth, 12);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }, []).trustProxy, 2);
    assert.equal(loadConfig({ MASTER_KEY: 'ab'.repeat(32) }, ['--role=all']).masterKey!.length, 32);
  });

  it('names every bad variable at once', () => {
    const p = problems({ PORT: 'abc', LOG_LEVEL: 'loud', TRUST_PROXY: 'true', PUBLIC_URL: 'ftp://x' });
    assert.equal(p.length, 4, p.join('\n'));
    for (const name of ['PORT', 'LOG_LEVEL', 'TRUST_PROXY', 'PUBLIC_URL']) assert.ok(p.some((l) => l.startsWith(`${name}:`)), name);
    assert.ok(p.find((l) => l.startsWith('TRUST_PROXY'))!.includes('never "true"'));
  });

  it('refuses TRUST_PROXY values that are neither a hop count nor CIDRs', () => {
    assert.match(problems({ TRUST_PROXY: '10.0.0.0/8,proxy.internal' })[0]!, /^TRUST_PROXY: not a CIDR: proxy\.internal/);
  });

  it('refuses TRUST_PROXY ranges that together trust every address, as it refuses "true"', () => {
    for (const value of ['0.0.0.0/0', '::/0', '0.0.0.0/1,128.0.0.0/1', '::ffff:0:0/96', '::/1, 8000::/1', '10.0.0.0/8,::ffff:0.0.0.0/97,::ffff:128.0.0.0/97']) {
      const p = problems({ TRUST_PROXY: value });
      assert.equal(p.length, 1, value);
      assert.match(p[0]!, /^TRUST_PROXY: .* trusts every IPv[46] address, as "true" would/, value);
    }
    assert.match(problems({ TRUST_PROXY: '999.1.1.1/8' })[0]!, /^TRUST_PROXY: not a CIDR: 999\.1\.1\.1\/8/);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '0.0.0.0/1,::ffff:10.0.0.0/104,2001:db8::/32' }, []).trustProxy, ['0.0.0.0/1', '::ffff:10.0.0.0/104', '2001:db8::/32']);
    const r = spawnSync(process.execPath, ['bin/webhook-gateway.mjs'], {
      env: { ...process.env, TRUST_PROXY: '0.0.0.0/0', DATABASE_URL: 'postgres://127.0.0.1:1/x', MASTER_KEY: KEY },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Invalid configuration:\n {2}- TRUST_PROXY: 0\.0\.0\.0\/0 trusts every IPv4 address/);
  });

  it('reads the inbound flood limit and queue bound, with defaults', () => {
    const d = loadConfig({}, []);
    assert.deepEqual([d.inboundRefusalLimit, d.inboundRefusalWindowMs, d.inboundMaxQueue], [60, 60_000, 1000]);
    const c = loadConfig({ INBOUND_REFUSAL_LIMIT: '5', INBOUND_REFUSAL_WINDOW: '10s', INBOUND_MAX_QUEUE: '50' }, []);
    assert.deepEqual([c.inboundRefusalLimit, c.inboundRefusalWindowMs, c.inboundMaxQueue], [5, 10_000, 50]);
    const p = problems({ INBOUND_REFUSAL_LIMIT: '0', INBOUND_REFUSAL_WINDOW: '90s', INBOUND_MAX_QUEUE: 'many' });
    assert.deepEqual(p.map((l) => l.split(':')[0]).sort(), ['INBOUND_MAX_QUEUE', 'INBOUND_REFUSAL_LIMIT', 'INBOUND_REFUSAL_WINDOW']);
    assert.match(p.find((l) => l.startsWith('INBOUND_REFUSAL_WINDOW'))!, /whole seconds from 1s to 1m/);
  });

  it('reads OUTBOUND_DNS_SERVERS as a list of addresses with optional ports, and refuses host names', () => {
    assert.equal(loadConfig({}, []).outboundDnsServers, undefined);
    assert.deepEqual(loadConfig({ OUTBOUND_DNS_SERVERS: '10.0.0.2, 127.0.0.1:5353,[2001:db8::53]:53,2001:db8::1' }, []).outboundDnsServers,
      ['10.0.0.2', '127.0.0.1:5353', '[2001:db8::53]:53', '2001:db8::1']);
    assert.match(problems({ OUTBOUND_DNS_SERVERS: '10.0.0.2,dns.internal' })[0]!, /^OUTBOUND_DNS_SERVERS: must be a comma-separated list of DNS server addresses.*not "dns\.internal"/);
  });

  it('requires MASTER_KEY with DATABASE_URL, and a 32-byte one', () => {
    assert.match(problems({ DATABASE_URL: 'postgresql://localhost/db' })[0]!, /^MASTER_KEY: required when DATABASE_URL is set/);
    assert.match(problems({ DATABASE_URL: 'postgresql://localhost/db', MASTER_KEY: 'c2hvcnQ=' })[0]!, /^MASTER_KEY: must be 32 bytes/);
    assert.match(problems({ DATABASE_URL: 'mysql://localhost/db', MASTER_KEY: KEY })[0]!, /^DATABASE_URL: must be a postgres/);
  });

  it('refuses split roles on the embedded database, and unknown roles', () => {
    assert.match(problems({}, ['--role', 'api'])[0]!, /^--role api: needs DATABASE_URL/);
    assert.match(problems({}, ['--role=worker'])[0]!, /^--role worker: needs DATABASE_URL/);
    assert.match(problems({}, ['--role', 'boss'])[0]!, /^--role: .*one of all, api, worker/);
  });

  it('reads RETENTION_DAYS and refuses one shorter than the replay window at start (SPEC §14)', () => {
    const d = loadConfig({}, []);
    assert.deepEqual([d.retentionDays, d.retentionBatchSize], [30, 1000]);
    const c = loadConfig({ RETENTION_DAYS: '2', REPLAY_WINDOW_HOURS: '48', RETENTION_BATCH_SIZE: '50' }, []);
    assert.deepEqual([c.retentionDays, c.retentionBatchSize], [2, 50]);
    assert.deepEqual(problems({ RETENTION_DAYS: '2', REPLAY_WINDOW_HOURS: '49' }),
      ['RETENTION_DAYS: 2 days is shorter than the replay window (REPLAY_WINDOW_HOURS=49, 3 days): set RETENTION_DAYS to at least 3 or shorten the replay window']);
    assert.match(problems({ RETENTION_DAYS: '6' })[0]!, /^RETENTION_DAYS: 6 days is shorter than the replay window \(REPLAY_WINDOW_HOURS=168, 7 days\)/);
    assert.match(problems({ RETENTION_DAYS: '0', RETENTION_BATCH_SIZE: 'x' }).join('\n'), /RETENTION_DAYS: must be a whole number from 1 to 3650\nRETENTION_BATCH_SIZE: must be/);
    const r = spawnSync(process.execPath, ['bin/webhook-gateway.mjs'], {
      env: { ...process.env, RETENTION_DAYS: '3', DATABASE_URL: 'postgres://127.0.0.1:1/x', MASTER_KEY: KEY },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Invalid configuration:\n {2}- RETENTION_DAYS: 3 days is shorter than the replay window \(REPLAY_WINDOW_HOURS=168, 7 days\)/);
  });

  it('reads DATABASE_OWNER_URL beside DATABASE_URL only, never for --role api, and AUDIT_RETENTION_DAYS', () => {
    const db = 'postgresql://service@localhost/db';
    const owner = 'postgresql://owner@localhost/db';
    const c = loadConfig({ DATABASE_URL: db, DATABASE_OWNER_URL: owner, MASTER_KEY: KEY, AUDIT_RETENTION_DAYS: '30' }, ['--role', 'worker']);
    assert.deepEqual([c.databaseOwnerUrl, c.auditRetentionDays], [owner, 30]);
    assert.equal(loadConfig({}, []).auditRetentionDays, 400);
    assert.match(problems({ DATABASE_OWNER_URL: owner })[0]!, /^DATABASE_OWNER_URL: needs DATABASE_URL/);
    assert.match(problems({ DATABASE_URL: db, DATABASE_OWNER_URL: owner, MASTER_KEY: KEY }, ['--role', 'api'])[0]!, /^DATABASE_OWNER_URL: never given to --role api/);
    assert.match(problems({ AUDIT_RETENTION_DAYS: '0' })[0]!, /^AUDIT_RETENTION_DAYS: must be a whole number from 1 to 36500/);
  });

  it('reads DATABASE_LISTEN_URL beside DATABASE_URL only, and DATABASE_STATEMENTS as named (default) or unnamed', () => {
    const pooled = 'postgresql://service@pgbouncer:6432/db';
    const direct = 'postgresql://service@db:5432/db';
    const c = loadConfig({ DATABASE_URL: pooled, DATABASE_LISTEN_URL: direct, DATABASE_STATEMENTS: 'unnamed', MASTER_KEY: KEY }, []);
    assert.deepEqual([c.databaseUrl, c.databaseListenUrl, c.databaseStatements], [pooled, direct, 'unnamed']);
    assert.deepEqual([loadConfig({}, []).databaseListenUrl, loadConfig({ DATABASE_STATEMENTS: '' }, []).databaseStatements], [undefined, 'named']);
    assert.match(problems({ DATABASE_LISTEN_URL: direct })[0]!, /^DATABASE_LISTEN_URL: needs DATABASE_URL/);
    assert.match(problems({ DATABASE_LISTEN_URL: 'db:5432' })[0]!, /^DATABASE_LISTEN_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.match(problems({ DATABASE_STATEMENTS: 'off' })[0]!, /^DATABASE_STATEMENTS: must be named or unnamed/);
  });

  it('stops the process with exit code 1 and names each bad variable', () => {
    const r = spawnSync(process.execPath, ['bin/webhook-gateway.mjs'], {
      env: { ...process.env, PORT: 'abc', TRUST_PROXY: 'true', DATABASE_URL: 'postgres://127.0.0.1:1/x', MASTER_KEY: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Invalid configuration/);
    assert.match(r.stderr, /PORT:/);
    assert.match(r.stderr, /TRUST_PROXY:/);
    assert.match(r.stderr, /MASTER_KEY: required/);
    assert.equal(r.stdout, '');
  });

  it('says which Node it needs on an older one', () => {
    const r = spawnSync(process.execPath, ['--import', 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})', 'bin/webhook-gateway.mjs'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /needs Node\.js >= 22\.19 \(Node 24 LTS recommended\); this is Node 20\.20\.2/);
  });
});
