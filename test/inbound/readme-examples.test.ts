// The README's client signing examples (curl/openssl, Node, Python) run against a live gateway.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

// Async: the gateway under test runs in this process and must keep serving while the example runs.
const run = async (cmd: string, args: string[], env: Record<string, string>) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, args, { env, encoding: 'utf8', timeout: 20_000 });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
};

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function example(name: string): string {
  const m = new RegExp(`<!-- example:${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(README);
  assert.ok(m, `README has no ${name} example`);
  return m[1]!;
}

describe('README signing examples', () => {
  let svc: TestService;
  let env: Record<string, string>;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-readme-'));
  before(async () => {
    svc = await startTestService();
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'readme', inputs: [{ name: 'pr', path: '$.pull_request.number', type: 'NUMBER' }] });
    env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SECRET: t.secret, URL: t.url };
  });
  after(async () => {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectAccepted = (stdout: string) => {
    const json = JSON.parse(stdout.slice(stdout.indexOf('{')));
    assert.match(json.deliveryId, /^ind_/);
    assert.match(json.sessionId, /^ses_/);
    return json.sessionId as string;
  };

  it('curl + openssl', async () => {
    const r = await run('bash', ['--norc', '--noprofile', '-c', `set -euo pipefail\n${example('curl')}`], env);
    assert.equal(r.status, 0, r.stderr);
    const sessionId = expectAccepted(r.stdout);
    const { rows } = await svc.services.pool.query('SELECT inputs FROM session WHERE id = $1', [sessionId]);
    assert.deepEqual(rows[0].inputs, { pr: 42 });
  });

  it('Node', async () => {
    const file = path.join(dir, 'sign.mjs');
    writeFileSync(file, example('node'));
    const r = await run(process.execPath, [file], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^202 /);
    expectAccepted(r.stdout);
  });

  it('Python', async () => {
    const file = path.join(dir, 'sign.py');
    writeFileSync(file, example('python'));
    const r = await run('python3', [file], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^202 /);
    expectAccepted(r.stdout);
  });
});
