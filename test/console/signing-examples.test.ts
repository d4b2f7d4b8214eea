// The signing examples the console shows after creating a trigger (console/src/signing-examples.ts)
// produce requests the gateway's one verifier accepts, for every scheme: the Node.js example is run
// as shown against a local receiver, and what it sent is verified.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { nodeExample } from '../../console/src/signing-examples.ts';
import { SCHEMES, verify } from '../../src/signing/schemes.ts';
import { startReceiver } from '../support/receiver.ts';

const run = (code: string) => new Promise<string>((resolve, reject) =>
  execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))));

describe('the console\'s signing examples', () => {
  it('sign requests the gateway verifies, in every scheme', async () => {
    const receiver = await startReceiver();
    try {
      const secrets: Record<string, string> = { STANDARD_WEBHOOKS: `whsec_${Buffer.alloc(32, 7).toString('base64')}` };
      const hmac = { header: 'X-Signature', encoding: 'BASE64', prefix: 'sha256=' } as const;
      for (const scheme of SCHEMES) {
        const secret = secrets[scheme] ?? 'a-secret-of-the-sender-0123456789';
        const body = '{"pull_request":{"number":42},"text":"it\'s \\"quoted\\""}';
        await run(nodeExample({ url: `${receiver.url}/hook`, scheme, secret, hmac }, body));
        const got = receiver.received.at(-1)!;
        assert.equal(got.body, body, scheme);
        const headers = Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, String(v)]));
        const result = verify({ scheme, headers, body: Buffer.from(got.body), secrets: [secret], toleranceSeconds: 300, nowSeconds: Math.floor(Date.now() / 1000), hmac });
        assert.equal(result.ok, true, `${scheme}: ${JSON.stringify(result)}`);
      }
    } finally {
      await receiver.close();
    }
  });
});
