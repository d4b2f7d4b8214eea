// METRICS_PORT moves /metrics off the public port (SPEC §11): scrapers reach it on its own port and
// the public one answers 404, so queue names and traffic figures are not served to the internet.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { startTestService, type TestService } from '../support/service.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('METRICS_PORT', () => {
  let svc: TestService;
  let metricsUrl: string;
  before(async () => {
    const port = await freePort();
    svc = await startTestService({ METRICS_PORT: String(port) });
    metricsUrl = `http://127.0.0.1:${port}`;
  });
  after(() => svc.stop());

  it('serves /metrics on its own port and not on the public one', async () => {
    await fetch(`${svc.url}/healthz`);
    const scraped = await fetch(`${metricsUrl}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /^webhook_gateway_http_requests_total\{route="\/healthz",status="200"\} \d+$/m);

    const pub = await fetch(`${svc.url}/metrics`);
    assert.equal(pub.status, 404);
    assert.equal(((await pub.json()) as any).error.code, 'NOT_FOUND');
  });

  it('serves nothing else on the metrics port', async () => {
    for (const p of ['/healthz', '/graphql', '/hooks/trg_x']) {
      const res = await fetch(`${metricsUrl}${p}`, { method: p === '/graphql' ? 'POST' : 'GET' });
      assert.equal(res.status, 404, p);
      await res.arrayBuffer();
    }
  });
});

describe('METRICS_PORT configuration', () => {
  it('is unset by default and must be a port number', () => {
    assert.equal(loadConfig({}, []).metricsPort, undefined);
    assert.equal(loadConfig({ METRICS_PORT: '' }, []).metricsPort, undefined);
    assert.equal(loadConfig({ METRICS_PORT: '9464' }, []).metricsPort, 9464);
    for (const bad of ['abc', '0', '70000']) {
      assert.throws(() => loadConfig({ METRICS_PORT: bad }, []), (err: unknown) =>
        err instanceof ConfigError && err.problems.some((p) => p.startsWith('METRICS_PORT: must be a port number')));
    }
  });
});
