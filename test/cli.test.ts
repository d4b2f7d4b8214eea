// npm run cli -- workspace create / key create (SPEC §3), against the same database as the service.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, dropTestDatabase } from './support/db.ts';
import { gql, startTestService, type TestService } from './support/service.ts';

describe('CLI', () => {
  let databaseUrl: string;
  let svc: TestService;
  const masterKey = randomBytes(32).toString('base64');
  before(async () => {
    databaseUrl = await createTestDatabase();
    svc = await startTestService({ DATABASE_URL: databaseUrl, MASTER_KEY: masterKey });
  });
  after(async () => {
    await svc.stop();
    await dropTestDatabase(databaseUrl);
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/cli.mjs', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, MASTER_KEY: masterKey },
      encoding: 'utf8',
      timeout: 30_000,
    });

  // Without blocking this process, which also runs the service: a blocked event loop leaves
  // keep-alive sockets that both ends then close and reuse at once.
  const cliAsync = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/cli.mjs', ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, MASTER_KEY: masterKey }, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
    });

  it('workspace create prints a new workspace and its ADMIN key, which works against the service', async () => {
    const r = cli('workspace', 'create', 'Acme', 'Robotics');
    assert.equal(r.status, 0, r.stderr);
    const ws = /workspace (wsp_\w+) \(Acme Robotics\)/.exec(r.stdout);
    const key = /ADMIN key \(shown only now\): (whk_[\w-]+)/.exec(r.stdout);
    assert.ok(ws && key, r.stdout);
    const me = await gql(svc.url, key[1], '{ me { role workspace { id name } } }');
    assert.deepEqual(me.data!.me, { role: 'ADMIN', workspace: { id: ws[1], name: 'Acme Robotics' } });
  });

  it('key create makes a key of the given role in the named workspace', async () => {
    const r = cli('key', 'create', '--role', 'viewer', '--workspace', svc.workspaceId, '--name', 'dashboard');
    assert.equal(r.status, 0, r.stderr);
    const key = /: (whk_[\w-]+)$/m.exec(r.stdout)![1]!;
    const me = await gql(svc.url, key, '{ me { role workspace { id } apiKey { name } } }');
    assert.deepEqual(me.data!.me, { role: 'VIEWER', workspace: { id: svc.workspaceId }, apiKey: { name: 'dashboard' } });
  });

  it('refuses bad input with a message and exit code 1', () => {
    const noRole = cli('key', 'create');
    assert.equal(noRole.status, 1);
    assert.match(noRole.stderr, /--role must be one of ADMIN, VIEWER, PUBLISHER/);
    const ambiguous = cli('key', 'create', '--role', 'ADMIN');
    assert.equal(ambiguous.status, 1);
    assert.match(ambiguous.stderr, /--workspace is required when there are several workspaces/);
    const missing = cli('key', 'create', '--role', 'ADMIN', '--workspace', 'wsp_nope');
    assert.match(missing.stderr, /workspace wsp_nope not found/);
    const unknown = cli('frobnicate');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown command: frobnicate\nusage:/);
    const noName = cli('workspace', 'create');
    assert.match(noName.stderr, /workspace create needs a name/);
  });

  it('console-link prints a one-time console link, ADMIN unless --role says VIEWER, that the service exchanges once', async () => {
    const exchange = (token: string) => fetch(`${svc.url}/v1/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    for (const [args, role] of [[[], 'ADMIN'], [['--role', 'viewer'], 'VIEWER']] as const) {
      const r = await cliAsync('console-link', '--workspace', svc.workspaceId, ...args);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^${role} console link csl_\\w+ for workspace ${svc.workspaceId}`));
      const token = /\/console\/#link=(wcl_[\w-]+)$/m.exec(r.stdout)![1]!;
      const first = await exchange(token);
      assert.equal(first.status, 201);
      assert.equal(((await first.json()) as { role: string }).role, role);
      assert.equal((await exchange(token)).status, 410);
    }
    const bad = await cliAsync('console-link', '--role', 'PUBLISHER', '--workspace', svc.workspaceId);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--role must be ADMIN or VIEWER/);
    const badTtl = await cliAsync('console-link', '--ttl-minutes', '2000', '--workspace', svc.workspaceId);
    assert.match(badTtl.stderr, /--ttl-minutes must be a whole number from 1 to 1440/);
  });
});
