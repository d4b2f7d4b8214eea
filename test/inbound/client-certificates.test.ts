// Inbound mTLS (SPEC §5): HTTPS beside HTTP, client certificates asked for but not required at the
// TLS layer, a trigger's requirement (CA, validity, subject and fingerprint pins) answered 403
// CLIENT_CERTIFICATE_REQUIRED at the IP allowlist's place and audited like it, the dry run, the
// certificate forwarded by a TLS-terminating proxy (nginx and Envoy formats, trusted peers only),
// and the TLS files re-read on SIGHUP. Certificates are made here (test/support/certificates.ts),
// and every request goes over real TLS with node:https.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { type CertificateAuthority, EXPIRED, type Issued, createCertificateAuthority } from '../support/certificates.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayOnDatabase, startGatewayOnDatabase } from '../support/process.ts';
import { post, postHttps, standardWebhooks } from '../support/senders.ts';
import { type TestService, gql, gqlOk, startTestService, within } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($input: CreateTriggerInput!) {
  createTrigger(input: $input) { secret trigger { id clientCertificate { required subject fingerprintSha256 trustedAuthorities { subject fingerprintSha256 notAfter } } } }
}`;
const UPDATE = `mutation($input: UpdateTriggerInput!) {
  updateTrigger(input: $input) { trigger { id clientCertificate { required subject fingerprintSha256 } } }
}`;

const colons = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');

interface Files {
  dir: string;
  cert: string;
  key: string;
  ca: string;
}

function writeTlsFiles(server: Issued, clientCa: CertificateAuthority): Files {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-tls-'));
  const files = { dir, cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'client-ca.pem') };
  writeFileSync(files.cert, server.certPem);
  writeFileSync(files.key, server.keyPem);
  writeFileSync(files.ca, clientCa.certPem);
  return files;
}

describe('inbound mTLS', () => {
  let gatewayCa: CertificateAuthority; // issues the gateway's server certificates
  let senders: CertificateAuthority; // TLS_CLIENT_CA_FILE
  let stranger: CertificateAuthority; // another CA, not trusted
  let alice: Issued;
  let bob: Issued;
  let files: Files;
  let svc: TestService;
  let tlsUrl: string;

  before(async () => {
    [gatewayCa, senders, stranger] = await Promise.all([createCertificateAuthority('Gateway CA'), createCertificateAuthority('Senders CA'), createCertificateAuthority('Stranger CA')]);
    [alice, bob] = await Promise.all([senders.client('alice'), senders.client('bob')]);
    files = writeTlsFiles(await gatewayCa.server(), senders);
    svc = await startTestService({
      TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key, TLS_PORT: '0', TLS_CLIENT_CA_FILE: files.ca,
      // The test's own requests from 127.0.0.1 stand for the proxy: trusted.
      CLIENT_CERT_HEADER: 'X-SSL-Client-Cert', CLIENT_CERT_HEADER_FORMAT: 'pem-urlencoded', TRUST_PROXY: '127.0.0.1/32',
    });
    tlsUrl = svc.tlsUrl!;
  });
  after(async () => {
    await svc?.stop();
    rmSync(files.dir, { recursive: true, force: true });
  });

  const hook = (base: string, id: string) => `${base}/hooks/${id}`;
  const tls = (client?: Issued) => ({ ca: gatewayCa.certPem, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) });

  async function requiring(name: string, clientCertificate: Record<string, unknown>) {
    const created = await gqlOk(svc.url, svc.adminKey, CREATE, { input: { name, agent: 'code-review', inputs: [], clientCertificate } });
    return { id: created.createTrigger.trigger.id as string, secret: created.createTrigger.secret as string, shown: created.createTrigger.trigger.clientCertificate };
  }

  it('serves the same routes over HTTPS, and a trigger without the requirement takes requests without a certificate', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'open' });
    const overTls = await postHttps(hook(tlsUrl, t.id), standardWebhooks(t.secret, '{"a":1}'), tls());
    assert.equal(overTls.status, 202, JSON.stringify(overTls.json));
    assert.match(overTls.json.sessionId, /^ses_/);
    const plain = await post(t.url, standardWebhooks(t.secret, '{"a":2}'));
    assert.equal(plain.status, 202);
    const graphql = await postHttps(`${tlsUrl}/graphql`, { headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.adminKey}` }, body: JSON.stringify({ query: '{ me { role } }' }) }, tls());
    assert.deepEqual(graphql.json, { data: { me: { role: 'ADMIN' } } });
    // graphql-ws over wss:// too.
    const socket = new WebSocket(`${tlsUrl.replace(/^https/, 'wss')}/graphql`, 'graphql-transport-ws', { ca: gatewayCa.certPem });
    const ack = new Promise<string>((resolve, reject) => {
      socket.on('message', (m) => resolve(String(m)));
      socket.on('error', reject);
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${svc.adminKey}` } })));
    assert.equal(JSON.parse(await within(ack, 10_000, 'connection_ack over wss')).type, 'connection_ack');
    socket.close();
  });

  it('answers 403 CLIENT_CERTIFICATE_REQUIRED without a certificate, from another CA, expired, and over plain HTTP; 202 with a good one', async () => {
    const t = await requiring('mtls-any', { required: true });
    const send = (client?: Issued) => postHttps(hook(tlsUrl, t.id), standardWebhooks(t.secret, '{}'), tls(client));
    const refusals = [
      ['no certificate', await send()],
      ['another CA', await send(await stranger.client('alice'))],
      ['expired', await send(await senders.client('old', EXPIRED))],
      ['plain HTTP', await post(hook(svc.url, t.id), standardWebhooks(t.secret, '{}'))],
    ] as const;
    for (const [what, r] of refusals) {
      assert.equal(r.status, 403, what);
      assert.equal(r.json.error.code, 'CLIENT_CERTIFICATE_REQUIRED', what);
    }
    assert.match(refusals[1][1].json.error.message, /not by a trusted CA/);
    assert.match(refusals[2][1].json.error.message, /expired/);
    assert.match(refusals[3][1].json.error.message, /plain HTTP/);
    const ok = await send(alice);
    assert.equal(ok.status, 202, JSON.stringify(ok.json));
  });

  it('checks the subject and fingerprint pins: 403 on a mismatch, 202 on a match', async () => {
    const bySubject = await requiring('mtls-subject', { subject: 'cn = alice , o=Webhook Gateway Tests' });
    assert.equal(bySubject.shown.subject, 'CN=alice,O=Webhook Gateway Tests', 'stored in the canonical RFC 4514 form');
    assert.equal(bySubject.shown.subject, alice.subject);
    const byPrint = await requiring('mtls-fingerprint', { fingerprintSha256: colons(bob.fingerprintSha256) });
    assert.equal(byPrint.shown.fingerprintSha256, bob.fingerprintSha256);
    assert.deepEqual(byPrint.shown.trustedAuthorities.map((a: any) => a.subject), ['CN=Senders CA']);
    for (const [t, good, wrong] of [[bySubject, alice, bob], [byPrint, bob, alice]] as const) {
      const refused = await postHttps(hook(tlsUrl, t.id), standardWebhooks(t.secret, '{}'), tls(wrong));
      assert.equal(refused.status, 403);
      assert.equal(refused.json.error.code, 'CLIENT_CERTIFICATE_REQUIRED');
      const accepted = await postHttps(hook(tlsUrl, t.id), standardWebhooks(t.secret, '{}'), tls(good));
      assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    }
  });

  it('refuses bad pins when saved, naming the field; updateTrigger changes and removes the requirement', async () => {
    const bad = [
      [{ fingerprintSha256: 'abc' }, 'clientCertificate.fingerprintSha256'],
      [{ fingerprintSha256: `${alice.fingerprintSha256.slice(2)}zz` }, 'clientCertificate.fingerprintSha256'],
      [{ subject: 'alice' }, 'clientCertificate.subject'],
      [{ subject: 'XYZ=alice' }, 'clientCertificate.subject'],
      [{ required: false, subject: 'CN=alice' }, 'clientCertificate.required'],
    ] as const;
    for (const [clientCertificate, field] of bad) {
      const r = await gql(svc.url, svc.adminKey, CREATE, { input: { name: 'bad-pins', agent: 'a', inputs: [], clientCertificate } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(clientCertificate));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    }
    const t = await requiring('mtls-update', { subject: 'CN=bob,O=Webhook Gateway Tests' });
    const send = (client?: Issued) => postHttps(hook(tlsUrl, t.id), standardWebhooks(t.secret, '{}'), tls(client));
    assert.equal((await send(alice)).status, 403);
    const changed = await gqlOk(svc.url, svc.adminKey, UPDATE, { input: { id: t.id, clientCertificate: { fingerprintSha256: alice.fingerprintSha256.toUpperCase() } } });
    assert.deepEqual(changed.updateTrigger.trigger.clientCertificate, { required: true, subject: null, fingerprintSha256: alice.fingerprintSha256 });
    assert.equal((await send(alice)).status, 202, 'the change reaches /hooks at once');
    assert.equal((await send(bob)).status, 403);
    const badUpdate = await gql(svc.url, svc.adminKey, UPDATE, { input: { id: t.id, clientCertificate: { fingerprintSha256: 'nope' } } });
    assert.equal(badUpdate.errors?.[0]?.extensions?.field, 'clientCertificate.fingerprintSha256');
    const removed = await gqlOk(svc.url, svc.adminKey, UPDATE, { input: { id: t.id, clientCertificate: null } });
    assert.equal(removed.updateTrigger.trigger.clientCertificate, null);
    assert.equal((await send()).status, 202);
    assert.equal((await post(hook(svc.url, t.id), standardWebhooks(t.secret, '{}'))).status, 202, 'plain HTTP again');
    await gqlOk(svc.url, svc.adminKey, UPDATE, { input: { id: t.id, clientCertificate: { required: true } } });
    assert.equal((await send()).status, 403);
    await gqlOk(svc.url, svc.adminKey, UPDATE, { input: { id: t.id, clientCertificate: { required: false } } });
    assert.equal((await send()).status, 202, '{required: false} removes it too');
  });

  it('audits the refusal like the IP allowlist one: a REFUSED delivery with its reason and an audit row; checked before the signature', async () => {
    const t = await requiring('mtls-audit', { required: true });
    const count = async () => (await svc.services.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_audit WHERE trigger_id = $1 AND error_class = 'CLIENT_CERTIFICATE_REQUIRED' AND status_code = 403`, [t.id])).rows[0]!.n;
    // A bad signature too: the certificate check comes first (SPEC §5's order), so the answer is 403.
    const r = await postHttps(hook(tlsUrl, t.id), standardWebhooks('whsec_' + Buffer.alloc(24, 1).toString('base64'), '{}'), tls(await stranger.client('mallory')));
    assert.equal(r.status, 403);
    assert.equal(await count(), 1);
    const listed = await gqlOk(svc.url, svc.adminKey, 'query($t: ID!) { inboundDeliveries(filter: {triggerId: $t}) { edges { node { outcome statusCode refusalCode refusalReason } } } }', { t: t.id });
    const [row] = listed.inboundDeliveries.edges.map((e: any) => e.node);
    assert.deepEqual([row.outcome, row.statusCode, row.refusalCode], ['REFUSED', 403, 'CLIENT_CERTIFICATE_REQUIRED']);
    assert.match(row.refusalReason, /CN=mallory.*not by a trusted CA/);
  });

  it('testTrigger reports the certificate check: failed for another CA, passed for a good one, not checked without one', async () => {
    const t = await requiring('mtls-dry', { subject: alice.subject });
    const signed = standardWebhooks(t.secret, '{}');
    const dry = async (pem?: string) => (await gqlOk(svc.url, svc.adminKey, `mutation($input: TestTriggerInput!) { testTrigger(input: $input) { status code checks { name passed detail } } }`, {
      input: { triggerId: t.id, body: signed.body, headers: Object.entries(signed.headers).map(([name, value]) => ({ name, value })), ...(pem ? { clientCertificatePem: pem } : {}) },
    })).testTrigger;
    const check = (r: any) => r.checks.find((c: any) => c.name === 'clientCertificate');
    const refused = await dry((await stranger.client('alice')).certPem);
    assert.deepEqual([refused.status, refused.code, check(refused).passed], [403, 'CLIENT_CERTIFICATE_REQUIRED', false]);
    assert.match(check(refused).detail, /not by a trusted CA/);
    const wrongSubject = await dry(bob.certPem);
    assert.match(check(wrongSubject).detail, /subject "CN=bob,O=Webhook Gateway Tests" is not the one/);
    const ok = await dry(alice.certPem);
    assert.deepEqual([ok.status, check(ok).passed], [202, true]);
    assert.deepEqual(ok.checks.map((c: any) => c.name).slice(0, 3), ['contentType', 'ipAllowlist', 'clientCertificate']);
    assert.match(check(await dry()).detail, /not checked/);
  });

  it('honours the nginx header (pem-urlencoded) from a TRUST_PROXY peer, and verifies what it carries', async () => {
    const t = await requiring('mtls-nginx', { subject: alice.subject });
    const forward = (client: Issued) => post(hook(svc.url, t.id), standardWebhooks(t.secret, '{}'), { 'x-ssl-client-cert': encodeURIComponent(client.certPem) });
    assert.equal((await forward(alice)).status, 202);
    const other = await forward(await stranger.client('alice'));
    assert.equal(other.status, 403, 'a forwarded certificate from another CA');
    assert.match(other.json.error.message, /forwarded by proxy 127\.0\.0\.1.*not by a trusted CA/);
    const expired = await forward(await senders.client('alice', EXPIRED));
    assert.equal(expired.status, 403);
    const empty = await post(hook(svc.url, t.id), standardWebhooks(t.secret, '{}'), { 'x-ssl-client-cert': 'garbage' });
    assert.equal(empty.status, 403);
  });

  it('ignores the header from a peer outside TRUST_PROXY', async () => {
    const t = await requiring('mtls-untrusted', { required: true });
    const replica = await startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64'), TLS_CLIENT_CA_FILE: files.ca, CLIENT_CERT_HEADER: 'x-ssl-client-cert', TRUST_PROXY: '10.0.0.0/8' });
    try {
      const r = await post(hook(replica.url, t.id), standardWebhooks(t.secret, '{}'), { 'x-ssl-client-cert': encodeURIComponent(alice.certPem) });
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, 'CLIENT_CERTIFICATE_REQUIRED');
      assert.match(r.json.error.message, /ignored: it came from 127\.0\.0\.1, which is not in TRUST_PROXY/);
    } finally {
      await replica.stop();
    }
  });

  it('takes clientCertificate in trigger YAML: the same pins in another spelling change nothing, a file without it removes it', async () => {
    const APPLY = `mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created changed trigger { id clientCertificate { subject fingerprintSha256 } } } }`;
    const doc = (pins: string) => `apiVersion: webhooks/v1\nkind: Trigger\nname: yaml-mtls\nagent: a\n${pins}`;
    const apply = async (yaml: string) => (await gqlOk(svc.url, svc.adminKey, APPLY, { i: { yaml } })).applyTriggerYaml;
    const first = await apply(doc(`clientCertificate:\n  subject: "CN=alice, O=Webhook Gateway Tests"\n  fingerprintSha256: "${alice.fingerprintSha256}"\n`));
    assert.deepEqual([first.created, first.trigger.clientCertificate], [true, { subject: alice.subject, fingerprintSha256: alice.fingerprintSha256 }]);
    const same = await apply(doc(`clientCertificate:\n  subject: "cn=alice,o=Webhook Gateway Tests"\n  fingerprintSha256: "${colons(alice.fingerprintSha256)}"\n`));
    assert.equal(same.changed, false);
    const bad = await gql(svc.url, svc.adminKey, APPLY, { i: { yaml: doc('clientCertificate:\n  fingerprintSha256: "12:34"\n') } });
    assert.equal(bad.errors?.[0]?.extensions?.field, 'yaml.clientCertificate.fingerprintSha256');
    const without = await apply(doc(''));
    assert.deepEqual([without.changed, without.trigger.clientCertificate], [true, null]);
  });

  it('reload: a CA file that changed is used at once; files that do not load are refused and the ones in use kept', async () => {
    const t = await requiring('mtls-reload', { required: true });
    const send = (client: Issued) => postHttps(hook(tlsUrl, t.id), standardWebhooks(t.secret, '{}'), tls(client));
    const carol = await stranger.client('carol');
    assert.equal((await send(carol)).status, 403);
    writeFileSync(files.ca, senders.certPem + stranger.certPem);
    assert.equal(await svc.reloadTls(), true);
    assert.equal((await send(carol)).status, 202, 'the stranger CA is trusted after the reload');
    const served = (await send(alice)).serverFingerprintSha256;
    writeFileSync(files.cert, '-----BEGIN CERTIFICATE-----\nhalf-written');
    assert.equal(await svc.reloadTls(), false);
    const still = await send(alice);
    assert.deepEqual([still.status, still.serverFingerprintSha256], [202, served], 'HTTPS keeps the certificate in use');
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    assert.match(metrics, /^webhook_gateway_tls_reloads_total\{outcome="failed"\} 1$/m);
  });

  it('refuses to start with a TLS file that is missing, not a certificate, or a key of another certificate, naming the variable', async () => {
    const other = await gatewayCa.server();
    const wrongKey = path.join(files.dir, 'other.key');
    writeFileSync(wrongKey, other.keyPem);
    const cases = [
      [{ TLS_CERT_FILE: path.join(files.dir, 'missing.pem'), TLS_KEY_FILE: files.key }, /TLS_CERT_FILE: cannot read .*missing\.pem: ENOENT/],
      [{ TLS_CERT_FILE: files.key, TLS_KEY_FILE: files.key }, /TLS_CERT_FILE: .* holds no PEM certificate/],
      [{ TLS_CERT_FILE: files.ca, TLS_KEY_FILE: wrongKey }, /TLS_KEY_FILE: .*other\.key is not the private key of/],
      [{ TLS_CLIENT_CA_FILE: files.key, CLIENT_CERT_HEADER: 'x-ssl-client-cert', TRUST_PROXY: '10.0.0.0/8' }, /TLS_CLIENT_CA_FILE: .* holds no PEM certificate/],
    ] as const;
    for (const [env, problem] of cases) {
      const started = startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64'), ...env });
      await assert.rejects(started, (err: unknown) => err instanceof ConfigError && problem.test(err.problems.join('\n')), String(problem));
    }
  });

  it('refuses at start-up a CLIENT_CERT_HEADER without a TRUST_PROXY CIDR list, or without TLS_CLIENT_CA_FILE', () => {
    const base = { MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), DATABASE_URL: 'postgres://x@127.0.0.1/db', CLIENT_CERT_HEADER: 'x-forwarded-client-cert', TLS_CLIENT_CA_FILE: files.ca };
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env, []);
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
    };
    assert.match(problems({ ...base, TRUST_PROXY: '1' }).join('\n'), /CLIENT_CERT_HEADER: needs TRUST_PROXY as a list of your proxies' CIDRs, not a hop count/);
    assert.match(problems(base).join('\n'), /CLIENT_CERT_HEADER: needs TRUST_PROXY/);
    assert.match(problems({ ...base, TRUST_PROXY: '10.0.0.0/8', TLS_CLIENT_CA_FILE: '' }).join('\n'), /CLIENT_CERT_HEADER: needs TLS_CLIENT_CA_FILE/);
    assert.match(problems({ ...base, TRUST_PROXY: '10.0.0.0/8', TLS_CERT_FILE: files.cert }).join('\n'), /TLS_KEY_FILE: required with TLS_CERT_FILE/);
    assert.match(problems({ ...base, TRUST_PROXY: '10.0.0.0/8', TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key, PORT: '4443' }).join('\n'), /TLS_PORT: 4443 is PORT too/);
    assert.deepEqual(problems({ ...base, TRUST_PROXY: '10.0.0.0/8,fd00::/8' }), []);
  });
});

describe('inbound mTLS in a child gateway: Envoy\'s header, and SIGHUP', () => {
  let gatewayCa: CertificateAuthority;
  let senders: CertificateAuthority;
  let files: Files;
  let databaseUrl: string;
  let gw: GatewayOnDatabase;
  let tlsUrl: string;

  before(async () => {
    [gatewayCa, senders] = await Promise.all([createCertificateAuthority('Gateway CA'), createCertificateAuthority('Senders CA')]);
    files = writeTlsFiles(await gatewayCa.server(), senders);
    databaseUrl = await createTestDatabase();
    gw = await startGatewayOnDatabase(databaseUrl, {
      TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key, TLS_PORT: '0', TLS_CLIENT_CA_FILE: files.ca,
      CLIENT_CERT_HEADER: 'x-forwarded-client-cert', CLIENT_CERT_HEADER_FORMAT: 'envoy-xfcc', TRUST_PROXY: '127.0.0.1/32,::1/128',
    });
    tlsUrl = (await gw.gw.waitForLog('webhook gateway started')).tlsUrl as string;
  });
  after(async () => {
    await gw?.stop();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    rmSync(files.dir, { recursive: true, force: true });
  });

  it('takes the Cert element of x-forwarded-client-cert from a trusted proxy', async () => {
    const alice = await senders.client('alice');
    const stranger = await (await createCertificateAuthority('Stranger CA')).client('alice');
    const created = await gqlOk(gw.url, gw.adminKey, CREATE, { input: { name: 'envoy', agent: 'a', inputs: [], clientCertificate: { subject: alice.subject } } });
    const { id } = created.createTrigger.trigger;
    const secret = created.createTrigger.secret as string;
    // Envoy's form: one element per hop, the last written by the proxy in front of the gateway.
    const xfcc = (client: Issued) => `By=spiffe://upstream;Hash=00ff,By=spiffe://gateway;Hash=abcd;Cert="${encodeURIComponent(client.certPem)}";Subject="${client.subject.replace(/"/g, '\\"')}";URI=`;
    const good = await post(`${gw.url}/hooks/${id}`, standardWebhooks(secret, '{}'), { 'x-forwarded-client-cert': xfcc(alice) });
    assert.equal(good.status, 202, JSON.stringify(good.json));
    const bad = await post(`${gw.url}/hooks/${id}`, standardWebhooks(secret, '{}'), { 'x-forwarded-client-cert': xfcc(stranger) });
    assert.equal(bad.status, 403);
    assert.equal(bad.json.error.code, 'CLIENT_CERTIFICATE_REQUIRED');
  });

  it('re-reads the certificate files on SIGHUP: new connections get the new server certificate, without a restart', async () => {
    const open = await createTrigger(gw.url, gw.adminKey, { name: 'open' });
    const first = await postHttps(`${tlsUrl}/hooks/${open.id}`, standardWebhooks(open.secret, '{}'), { ca: gatewayCa.certPem });
    const renewed = await gatewayCa.server();
    assert.notEqual(first.serverFingerprintSha256, renewed.fingerprintSha256);
    writeFileSync(files.cert, renewed.certPem);
    writeFileSync(files.key, renewed.keyPem);
    const reloads = () => gw.gw.logs().filter((l) => l.msg === 'TLS certificates reloaded').length;
    assert.equal(reloads(), 0);
    gw.gw.child.kill('SIGHUP');
    await until(() => reloads() === 1 || gw.gw.child.exitCode !== null, 'the reload log line', 15_000);
    assert.equal(gw.gw.child.exitCode, null, 'SIGHUP does not stop the gateway');
    const second = await postHttps(`${tlsUrl}/hooks/${open.id}`, standardWebhooks(open.secret, '{}'), { ca: gatewayCa.certPem });
    assert.equal(second.status, 202);
    assert.equal(second.serverFingerprintSha256, renewed.fingerprintSha256);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /^webhook_gateway_tls_reloads_total\{outcome="ok"\} 1$/m);
  });
});
