// The README's verify-and-keep-the-head example (curl, sh) runs against a live gateway, and the head
// it kept catches the newest rows removed afterwards.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { withTransaction } from '../../src/platform/db/pool.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const EXAMPLE = /<!-- example:verify-chain -->\n```sh\n([\s\S]*?)```/.exec(README)?.[1];

describe('README audit verification example', () => {
  let svc: TestService;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-readme-audit-'));
  before(async () => {
    svc = await startTestService();
  });
  after(async () => {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sh = async (script: string) => {
    const { stdout } = await promisify(execFile)('sh', ['-c', script], {
      cwd: dir, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '', GATEWAY: svc.url, KEY: svc.adminKey },
    });
    return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).data.verifyAuditChain);
  };

  it('keeps the head with curl and sh, and the kept head shows the newest rows removed and the head rewritten', async () => {
    assert.ok(EXAMPLE, 'README has no verify-chain example');
    const [first, later] = EXAMPLE.split(/^# Later:.*$/m) as [string, string];
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'readme-audit' });
    for (let i = 0; i < 5; i++) await post(t.url, standardWebhooks(t.secret, `{"i":${i}}`));

    const answers = await sh(EXAMPLE);
    assert.deepEqual(answers.map((a) => [a.ok, a.checked, a.head.seq]), [[true, 5, '5'], [true, 5, '5']]);
    assert.ok(first.includes('audit-head.json'));

    await withTransaction(svc.services.pool, async (c) => {
      await c.query('ALTER TABLE webhook_audit DISABLE TRIGGER USER');
      await c.query('DELETE FROM webhook_audit WHERE workspace_id = $1 AND seq > 3', [svc.workspaceId]);
      await c.query(`UPDATE audit_chain SET last_seq = 3, last_hash = (SELECT hash FROM webhook_audit WHERE workspace_id = $1 AND seq = 3) WHERE workspace_id = $1`, [svc.workspaceId]);
      await c.query('ALTER TABLE webhook_audit ENABLE TRIGGER USER');
    });
    const [caught] = await sh(later);
    assert.equal(caught.ok, false);
    assert.match(caught.reason, /ends before the expected head \(seq 5\)/);
  });
});
