// /console (SPEC §13): the build served under a strict CSP with frame-ancestors from
// CONSOLE_FRAME_ANCESTORS, deep links answered with the app, and a clear answer when it is not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { startTestService, type TestService } from '../support/service.ts';

const INDEX = '<!doctype html><title>console</title><script type="module" src="/console/assets/app-abc123.js"></script>';

describe('serving the console', () => {
  let dist: string;
  let svc: TestService;
  let unbuilt: TestService;
  before(async () => {
    dist = mkdtempSync(path.join(os.tmpdir(), 'gw-console-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), INDEX);
    writeFileSync(path.join(dist, 'assets', 'app-abc123.js'), 'console.log("app")');
    svc = await startTestService({ CONSOLE_DIST_DIR: dist, CONSOLE_FRAME_ANCESTORS: 'https://portal.example.com \'self\'' });
    unbuilt = await startTestService({ DATABASE_URL: svc.databaseUrl, CONSOLE_DIST_DIR: path.join(dist, 'missing') });
  });
  after(async () => {
    await unbuilt.stop();
    await svc.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html for /console/ and deep links, under a CSP that allows only the gateway\'s own origin', async () => {
    for (const route of ['/console/', '/console/triggers/trg_0123', '/console/api-keys']) {
      const res = await fetch(`${svc.url}${route}`);
      assert.equal(res.status, 200, route);
      assert.equal(await res.text(), INDEX);
      const csp = res.headers.get('content-security-policy')!;
      for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors https://portal.example.com 'self'"]) {
        assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
      }
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!portal\.example\.com)/);
      assert.equal(res.headers.get('x-frame-options'), null, 'frame-ancestors decides, not X-Frame-Options');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
    }
    const asset = await fetch(`${svc.url}/console/assets/app-abc123.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type')!, /javascript/);
    assert.match(asset.headers.get('cache-control')!, /immutable/);
    const missing = await fetch(`${svc.url}/console/assets/missing.js`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    const bare = await fetch(`${svc.url}/console`, { redirect: 'manual' });
    assert.equal(bare.headers.get('location'), '/console/');
    const root = await fetch(`${svc.url}/`, { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/console/');
  });

  it('answers 503 with what to run when the console is not built, and keeps serving the API', async () => {
    const res = await fetch(`${unbuilt.url}/console/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /The console is not built: .* Run `npm install`/);
    assert.equal((await fetch(`${unbuilt.url}/healthz`)).status, 200);
  });

  it('frames nothing by default: frame-ancestors \'none\' and X-Frame-Options DENY', async () => {
    const res = await fetch(`${unbuilt.url}/console/`);
    assert.ok(res.headers.get('content-security-policy')!.includes("frame-ancestors 'none'"));
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  it('refuses a CONSOLE_FRAME_ANCESTORS that is not a list of CSP sources, naming it', () => {
    for (const value of ["https://a.example; script-src 'unsafe-inline'", 'https://a.example,https://b.example', "'none' https://a.example", 'https:', '*', 'https://*.com', '*.com']) {
      assert.throws(() => loadConfig({ CONSOLE_FRAME_ANCESTORS: value }, []), (err: unknown) => err instanceof ConfigError && /CONSOLE_FRAME_ANCESTORS/.test(err.message), value);
    }
  });
});
