// Trigger administration through GraphQL and YAML (API and CLI), SPEC §5 and §12.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { gql, gqlOk, startTestService, type TestService } from '../support/service.ts';
import { github, post } from '../support/senders.ts';
import { CREATE_TRIGGER } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const FIELDS = 'id name agent url filter signatureScheme toleranceSeconds ipAllowlist rateLimitPerSecond enabled hmac { header encoding prefix idHeader } inputs { name path type required defaultValue }';
const EXAMPLE = readFileSync(new URL('../../examples/github-pr-review.yaml', import.meta.url), 'utf8');

describe('trigger administration', () => {
  let databaseUrl: string;
  let svc: TestService;
  before(async () => {
    databaseUrl = await createTestDatabase();
    // Introspection (off by default with DATABASE_URL) shows which fields could ever hold a secret.
    svc = await startTestService({ DATABASE_URL: databaseUrl, PUBLIC_URL: 'https://hooks.example.com/', GRAPHQL_INTROSPECTION: 'true' });
  });
  after(async () => {
    await svc.stop();
    await dropTestDatabase(databaseUrl);
  });

  it('createTrigger applies the SPEC defaults, returns the URL under PUBLIC_URL and the secret once', async () => {
    const r = await gql(svc.url, svc.adminKey, `mutation($i: CreateTriggerInput!) { createTrigger(input: $i) { secret trigger { ${FIELDS} } } }`, {
      i: { name: 'defaults', agent: 'triage', inputs: [{ name: 'title', path: '$.title' }] },
    });
    const { trigger, secret } = r.data!.createTrigger;
    assert.match(trigger.id, /^trg_[0-9a-z]{26}$/);
    assert.equal(trigger.url, `https://hooks.example.com/hooks/${trigger.id}`);
    assert.match(secret, /^whsec_/);
    assert.deepEqual({ ...trigger, id: undefined, url: undefined }, {
      id: undefined, url: undefined, name: 'defaults', agent: 'triage', filter: null, signatureScheme: 'STANDARD_WEBHOOKS', toleranceSeconds: 300,
      ipAllowlist: [], rateLimitPerSecond: null, enabled: true, hmac: null,
      inputs: [{ name: 'title', path: '$.title', type: 'STRING', required: true, defaultValue: null }],
    });
    // The secret is never readable again: the only secret field lists metadata, not values.
    const schema = await gql(svc.url, svc.adminKey, '{ trigger: __type(name: "Trigger") { fields { name } } secret: __type(name: "SigningSecret") { fields { name } } }');
    assert.deepEqual(schema.data!.trigger.fields.map((f: any) => f.name).filter((n: string) => /secret/i.test(n)), ['secrets']);
    assert.deepEqual(schema.data!.secret.fields.map((f: any) => f.name).sort(), ['createdAt', 'current', 'expiresAt', 'id']);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string, string?]> = [
      [{ name: '' }, 'name'],
      [{ name: 'has space' }, 'name'],
      [{ inputs: [{ name: 'a', path: 'no-dollar' }] }, 'inputs.0.path'],
      [{ inputs: [{ name: 'a', path: '$.a' }, { name: 'a', path: '$.b' }] }, 'inputs'],
      [{ ipAllowlist: ['10.0.0.0/33'] }, 'ipAllowlist.0'],
      [{ toleranceSeconds: 0 }, 'toleranceSeconds'],
      [{ rateLimitPerSecond: 0 }, 'rateLimitPerSecond'],
      [{ signatureScheme: 'HMAC_SHA256' }, 'hmac'],
      [{ hmac: { header: 'X-Sig' } }, 'hmac'],
      [{ signatureScheme: 'HMAC_SHA256', hmac: { header: 'bad header' } }, 'hmac.header'],
      [{ secret: 'short' }, 'secret'],
      [{ secret: 'not-whsec-format-secret' }, 'secret'],
    ];
    for (const [input, field] of cases) {
      const r = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'bad', agent: 'a', inputs: [], ...input } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(r.errors?.[0]?.extensions?.field, field, JSON.stringify(input));
      assert.ok(r.errors![0]!.message.startsWith(`${field}:`), r.errors![0]!.message);
    }
    const dup = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'defaults', agent: 'a', inputs: [] } });
    assert.equal(dup.errors?.[0]?.extensions?.code, 'CONFLICT');
    const { rows } = await svc.services.pool.query(`SELECT count(*)::int AS n FROM trigger WHERE name = 'bad'`);
    assert.equal(rows[0].n, 0);
  });

  it('updateTrigger changes only what is sent; null clears; deleteTrigger removes it; trigger and triggers read it', async () => {
    const created = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'mutable', agent: 'a', inputs: [], rateLimitPerSecond: 5, filter: '$.x' } });
    const id = created.data!.createTrigger.trigger.id;
    const UPDATE = `mutation($i: UpdateTriggerInput!) { updateTrigger(input: $i) { trigger { ${FIELDS} } } }`;
    const u = (await gql(svc.url, svc.adminKey, UPDATE, { i: { id, agent: 'b', rateLimitPerSecond: null } })).data!.updateTrigger.trigger;
    assert.equal(u.agent, 'b');
    assert.equal(u.rateLimitPerSecond, null);
    assert.equal(u.filter, '$.x', 'unsent fields stay');
    assert.equal(u.toleranceSeconds, 300);
    const bad = await gql(svc.url, svc.adminKey, UPDATE, { i: { id, signatureScheme: 'HMAC_SHA256' } });
    assert.equal(bad.errors?.[0]?.extensions?.field, 'hmac');
    const read = await gql(svc.url, svc.adminKey, `query($id: ID!) { trigger(id: $id) { agent } node(id: $id) { ... on Trigger { name } } }`, { id });
    assert.deepEqual(read.data, { trigger: { agent: 'b' }, node: { name: 'mutable' } });
    const list = await gql(svc.url, svc.adminKey, '{ triggers(first: 100) { edges { node { name } } } }');
    assert.ok(list.data!.triggers.edges.some((e: any) => e.node.name === 'mutable'));
    const del = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { deleteTrigger(input: {id: $id}) { deletedTriggerId } }', { id });
    assert.equal(del.data!.deleteTrigger.deletedTriggerId, id);
    assert.equal((await gql(svc.url, svc.adminKey, `query($id: ID!) { trigger(id: $id) { id } }`, { id })).data!.trigger, null);
    assert.equal((await gql(svc.url, svc.adminKey, UPDATE, { i: { id, agent: 'c' } })).errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('checks an update against the trigger as the updates before it left it: two at once cannot pair a scheme with a foreign hmac', async () => {
    const id = (await gqlOk(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'contended', agent: 'a', inputs: [], signatureScheme: 'GITHUB' } })).createTrigger.trigger.id;
    const UPDATE = 'mutation($i: UpdateTriggerInput!) { updateTrigger(input: $i) { trigger { signatureScheme } } }';
    const waiting = async () => (await svc.services.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%trigger%'`)).rows[0].n as number;
    // Each update alone is valid against GITHUB without hmac. Holding the row keeps both in flight,
    // queued in this order, until it is let go.
    const holder = await svc.services.pool.connect();
    let toHmac: Promise<any>;
    let toStripe: Promise<any>;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM trigger WHERE id = $1 FOR UPDATE', [id]);
      toHmac = gql(svc.url, svc.adminKey, UPDATE, { i: { id, signatureScheme: 'HMAC_SHA256', hmac: { header: 'X-Sig' } } });
      await until(async () => (await waiting()) >= 1, 'the first update to wait for the row');
      toStripe = gql(svc.url, svc.adminKey, UPDATE, { i: { id, signatureScheme: 'STRIPE' } });
      await until(async () => (await waiting()) >= 2, 'the second update to wait for the row');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    assert.equal((await toHmac).data?.updateTrigger.trigger.signatureScheme, 'HMAC_SHA256');
    const refused = await toStripe;
    assert.equal(refused.errors?.[0]?.extensions?.field, 'hmac', 'STRIPE is checked against the hmac the first update set');
    const { rows } = await svc.services.pool.query('SELECT signature_scheme, hmac_header FROM trigger WHERE id = $1', [id]);
    assert.deepEqual(rows, [{ signature_scheme: 'HMAC_SHA256', hmac_header: 'X-Sig' }]);
  });

  it('keeps triggers to their workspace and their roles', async () => {
    const viewer = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }')).data!.createApiKey.key;
    assert.equal((await gql(svc.url, viewer, CREATE_TRIGGER, { input: { name: 'x', agent: 'a', inputs: [] } })).errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const seenByViewer = await gqlOk(svc.url, viewer, '{ triggers(first: 100) { edges { node { id } } } }');
    const seenByAdmin = await gqlOk(svc.url, svc.adminKey, '{ triggers(first: 100) { edges { node { id } } } }');
    assert.ok(seenByViewer.triggers.edges.length > 0);
    assert.deepEqual(seenByViewer, seenByAdmin, 'a VIEWER reads the triggers');
    const other = await import('../../src/workspaces/workspaces.ts').then((m) => m.createWorkspace(svc.services.db, 'other'));
    const mine = (await gql(svc.url, svc.adminKey, '{ triggers(first: 1) { edges { node { id } } } }')).data!.triggers.edges[0].node.id;
    assert.equal((await gql(svc.url, other.adminKey, 'query($id: ID!) { trigger(id: $id) { id } }', { id: mine })).data!.trigger, null);
    assert.equal((await gql(svc.url, other.adminKey, 'mutation($id: ID!) { deleteTrigger(input: {id: $id}) { deletedTriggerId } }', { id: mine })).errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('applyTriggerYaml creates, then changes nothing on the same file, then updates by name', async () => {
    const APPLY = `mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created changed secret trigger { ${FIELDS} } } }`;
    const yaml = EXAMPLE.replace(/\n {2}secretFrom: .*\n/, '\n');
    const first = (await gql(svc.url, svc.adminKey, APPLY, { i: { yaml, secret: 'gh-secret-from-api' } })).data!.applyTriggerYaml;
    assert.equal(first.created, true);
    assert.equal(first.secret, 'gh-secret-from-api');
    assert.equal(first.trigger.signatureScheme, 'GITHUB');
    assert.equal(first.trigger.filter, "$[?(@.action == 'opened')]");
    assert.equal(first.trigger.rateLimitPerSecond, 50);
    assert.deepEqual(first.trigger.inputs, [
      { name: 'repo', path: '$.repository.full_name', type: 'STRING', required: true, defaultValue: null },
      { name: 'pr', path: '$.pull_request.number', type: 'NUMBER', required: true, defaultValue: null },
      { name: 'title', path: '$.pull_request.title', type: 'STRING', required: false, defaultValue: '' },
    ]);
    const updatedAt = (await svc.services.pool.query('SELECT updated_at FROM trigger WHERE id = $1', [first.trigger.id])).rows[0].updated_at;
    const second = (await gql(svc.url, svc.adminKey, APPLY, { i: { yaml } })).data!.applyTriggerYaml;
    assert.deepEqual({ created: second.created, changed: second.changed, secret: second.secret }, { created: false, changed: false, secret: null });
    assert.deepEqual((await svc.services.pool.query('SELECT updated_at FROM trigger WHERE id = $1', [first.trigger.id])).rows[0].updated_at, updatedAt);
    const third = (await gql(svc.url, svc.adminKey, APPLY, { i: { yaml: yaml.replace('rateLimitPerSecond: 50', 'rateLimitPerSecond: 10') } })).data!.applyTriggerYaml;
    assert.deepEqual([third.created, third.changed, third.trigger.id, third.trigger.rateLimitPerSecond], [false, true, first.trigger.id, 10]);
  });

  it('applyTriggerYaml refuses bad files naming the field, and secretFrom through the API', async () => {
    const APPLY = 'mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created } }';
    const cases: Array<[string, string]> = [
      ['a: [unclosed', 'yaml'],
      ['apiVersion: webhooks/v2\nkind: Trigger\nname: x\nagent: a\n', 'yaml.apiVersion'],
      ['apiVersion: webhooks/v1\nkind: Trigger\nname: x\nagent: a\ninputs:\n  n: { path: $.n, type: INTEGER }\n', 'yaml.inputs.n.type'],
      ['apiVersion: webhooks/v1\nkind: Trigger\nname: x\nagent: a\nsurprise: 1\n', 'yaml'],
      [EXAMPLE, 'yaml.signature.secretFrom'],
    ];
    for (const [yaml, field] of cases) {
      const r = await gql(svc.url, svc.adminKey, APPLY, { i: { yaml } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', yaml);
      assert.equal(r.errors?.[0]?.extensions?.field, field, `${yaml} → ${r.errors?.[0]?.message}`);
    }
  });

  it('npm run cli -- apply reads secretFrom from the environment; applying twice changes nothing', async () => {
    const file = path.join(os.tmpdir(), `trigger-${process.pid}.yaml`);
    writeFileSync(file, EXAMPLE.replace('name: github-pr-review', 'name: cli-pr-review'));
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64'), PUBLIC_URL: 'https://hooks.example.com', GITHUB_WEBHOOK_SECRET: 'from-the-env' };
    // Without blocking this process, which also runs the service: a blocked event loop leaves
    // keep-alive sockets that both ends then close and reuse at once.
    const run = (args: string[], runEnv: Record<string, string>) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/cli.mjs', ...args], { env: runEnv, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
    });
    const cli = () => run(['apply', file, '--workspace', svc.workspaceId], env);
    const first = await cli();
    assert.equal(first.status, 0, first.stderr);
    const m = /trigger cli-pr-review \((trg_\w+)\) created\nurl: (\S+)/.exec(first.stdout);
    assert.ok(m, first.stdout);
    assert.equal(m[2], `https://hooks.example.com/hooks/${m[1]}`);
    assert.doesNotMatch(first.stdout, /from-the-env/, 'a secret from the environment is not echoed');
    const second = await cli();
    assert.match(second.stdout, /\) unchanged/);
    // The trigger verifies with the secret from the environment (allowlist aside: sent via testTrigger).
    const body = JSON.stringify({ action: 'opened', repository: { full_name: 'a/b' }, pull_request: { number: 1, title: 't' } });
    const signed = github('from-the-env', body);
    const dry = await gql(svc.url, svc.adminKey, 'mutation($i: TestTriggerInput!) { testTrigger(input: $i) { status mappedInputs } }', {
      i: { triggerId: m[1], headers: Object.entries(signed.headers).map(([name, value]) => ({ name, value })), body, sourceIp: '140.82.112.5' },
    });
    assert.deepEqual(dry.data!.testTrigger, { status: 202, mappedInputs: { repo: 'a/b', pr: 1, title: 't' } });
    const direct = await post(`${svc.url}/hooks/${m[1]}`, signed);
    assert.equal(direct.status, 403, 'the allowlist from the file holds for a non-GitHub address');
    const missing = await run(['apply', file], { ...env, GITHUB_WEBHOOK_SECRET: '' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /secretFrom names GITHUB_WEBHOOK_SECRET, which is not set/);
  });
});
