// Baseline for bench/inbound.ts: a bare node:http server that verifies the Standard Webhooks HMAC
// (timing-safe) over the raw body and answers 202, writing nothing.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

// A KeyObject, as the gateway keeps it (src/signing/hmac.ts): raw key bytes cost ~5x the HMAC.
const key = createSecretKey(Buffer.from(process.env.SECRET!.replace(/^whsec_/, ''), 'base64'));
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const id = req.headers['webhook-id'];
    const ts = req.headers['webhook-timestamp'];
    const given = Buffer.from(String(req.headers['webhook-signature']).slice(3), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 202 : 401, { 'content-type': 'application/json' }).end(ok ? '{"ok":true}' : '{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
