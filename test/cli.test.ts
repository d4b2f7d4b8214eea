// npm run cli -- workspace create / key create (SPEC §3), against the same database as the service.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
});
