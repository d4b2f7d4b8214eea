// Tenant-written JSONPath (SPEC §5, §15) through the public API: trigger filters and input paths,
// subscription filters. An expression is checked on its syntax tree when saved and never run to
// see whether it works; one saved under older rules is refused by name when it would run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayProcess, spawnGateway } from '../support/process.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, type TestService, withServiceAndReceiver } from '../support/service.ts';
import { CREATE_TRIGGER, createTrigger } from '../support/triggers.ts';

const CREATE_SUBSCRIPTION = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }`;
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }';

// Each category of the allow-list's refusals, with what the message must say.
const REFUSED: Array<[string, string, RegExp]> = [
  ['a function call', '$[?(@.title.repeat(100000000))]', /function calls are not allowed/],
  ['a regular expression', '$[?(@.title == /(a|a)*b/)]', /regular expressions are not allowed/],
  ['new', '$[?(new Date() > 1)]', /`new` is not allowed/],
  ['.constructor', '$[?(@.constructor == 1)]', /`\.constructor` is not allowed/],
  ['a template literal', '$[?(`${@.a}` == "x")]', /template literals are not allowed/],
  ['an assignment', '$[?(@.a = 1)]', /assignment is not allowed/],
  ['too long', `$.${'a'.repeat(1000)}`, /1000/],
  ['too deep', `$[?(${'!('.repeat(25)}@.a${')'.repeat(25)})]`, /nest at most 20 deep/],
  ['recursive descent', "$..[?(@.id == 'x')]", /recursive descent/],
  ['a script segment', '$.items[(@.length - 1)]', /script segments/],
  ['a script hidden in a union', '$[a,(@.title.repeat(9))]', /plain names and indexes/],
  ['a nested filter hidden in a string', "$[?(@.a == '(@.title.repeat(9))')]", /nested filters/],
];

describe('JSONPath expressions, checked when saved', () => {
  let svc: TestService;
  let receiver: Receiver;
  withServiceAndReceiver((s, r) => {
    svc = s;
    receiver = r;
  });
  const count = async (table: string) => (await svc.services.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  const ok = { name: 'ok', path: '$.ok' };

  it('refuses calls, regular expressions, new, constructors, template literals, assignment, too long and too deep, naming the field; stores nothing', async () => {
    const [triggers, subscriptions] = [await count('trigger'), await count('webhook_subscription')];
    for (const [category, expression, reason] of REFUSED) {
      const places: Array<[string, () => ReturnType<typeof gql>]> = [
        ['filter', () => gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'evil', agent: 'a', inputs: [], filter: expression } })],
        ['inputs.2.path', () => gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'evil', agent: 'a', inputs: [ok, { ...ok, name: 'ok2' }, { name: 'x', path: expression }] } })],
        ['filter', () => gql(svc.url, svc.adminKey, CREATE_SUBSCRIPTION, { i: { url: `${receiver.url}/x`, events: ['*'], filter: expression } })],
      ];
      for (const [field, save] of places) {
        const r = await save();
        const error = r.errors?.[0];
        assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', `${category} in ${field}: ${JSON.stringify(r)}`);
        assert.equal(error?.extensions?.field, field, category);
        assert.match(error!.message, reason, category);
      }
    }
    assert.equal(await count('trigger'), triggers);
    assert.equal(await count('webhook_subscription'), subscriptions);
  });

  it('refuses the same on update and in YAML, naming the field', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'to-update', inputs: [ok] });
    const update = await gql(svc.url, svc.adminKey, 'mutation($i: UpdateTriggerInput!) { updateTrigger(input: $i) { trigger { filter } } }',
      { i: { id: t.id, filter: "$[?(@.x.padEnd(1e9) == 'a')]" } });
    assert.deepEqual([update.errors?.[0]?.extensions?.code, update.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'filter']);
    assert.equal((await svc.services.pool.query('SELECT filter FROM trigger WHERE id = $1', [t.id])).rows[0].filter, null);
    const yaml = 'apiVersion: webhooks/v1\nkind: Trigger\nname: y\nagent: a\nfilter: "$[?(/(.*)*!/.test(@.x))]"\n';
    const applied = await gql(svc.url, svc.adminKey, 'mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created } }', { i: { yaml } });
    assert.equal(applied.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(applied.errors?.[0]?.extensions?.field, 'filter');
    assert.match(applied.errors![0]!.message, /function calls are not allowed/);
  });

  it('keeps the filters the README, the examples and earlier tests use, end to end', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, {
      name: 'readme-filter', filter: "$[?(@.action == 'opened')]", inputs: [{ name: 'pr', path: '$.pull_request.number', type: 'NUMBER' }],
    });
    const opened = await post(t.url, standardWebhooks(t.secret, JSON.stringify({ action: 'opened', pull_request: { number: 7 } })));
    assert.equal(opened.status, 202);
    assert.match(opened.json.sessionId, /^ses_/);
    const closed = await post(t.url, standardWebhooks(t.secret, JSON.stringify({ action: 'closed', pull_request: { number: 7 } })));
    assert.deepEqual([closed.status, closed.json.ignored], [202, true]);
    for (const filter of ["$[?(@.data.status == 'FAILED')]", '$[?(@.data.inputs.n < 5)]', "$[?(@.data.tool == 'grep')]"]) {
      const r = await gql(svc.url, svc.adminKey, CREATE_SUBSCRIPTION, { i: { url: `${receiver.url}/ok`, events: ['*'], filter } });
      assert.equal(r.errors, undefined, `${filter}: ${JSON.stringify(r.errors)}`);
    }
  });

  it('refuses inputs named __proto__, constructor or prototype when saved, through GraphQL and YAML', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype', 'toString']) {
      const r = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'reserved', agent: 'a', inputs: [ok, { name, path: '$.x' }] } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', name);
      assert.equal(r.errors?.[0]?.extensions?.field, 'inputs.1.name', name);
      assert.match(r.errors![0]!.message, /is reserved/);
      const yaml = `apiVersion: webhooks/v1\nkind: Trigger\nname: reserved\nagent: a\ninputs:\n  ok: $.ok\n  ${name}: { path: $.x }\n`;
      const y = await gql(svc.url, svc.adminKey, 'mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created } }', { i: { yaml } });
      assert.equal(y.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `yaml ${name}`);
      assert.match(String(y.errors?.[0]?.extensions?.field), new RegExp(`^(yaml\\.)?inputs\\.(${name}|1\\.name)$`), `yaml ${name}: ${y.errors?.[0]?.message}`);
    }
    assert.equal((await svc.services.pool.query("SELECT count(*)::int AS n FROM trigger WHERE name = 'reserved'")).rows[0].n, 0);
  });

  it('bounds the steps that visit every value over a trigger\'s filter and inputs together', async () => {
    const wide = (i: number) => ({ name: `list${i}`, path: `$.lists[${i}][*]`, type: 'ARRAY' });
    const r = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, {
      input: { name: 'wide', agent: 'a', filter: '$[?(@.n > 1)]', inputs: Array.from({ length: 8 }, (_, i) => wide(i)) },
    });
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(r.errors?.[0]?.extensions?.field, 'inputs.7.path');
    assert.match(r.errors![0]!.message, /at most 8 steps/);
    const fits = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'wide', agent: 'a', inputs: Array.from({ length: 8 }, (_, i) => wide(i)) } });
    assert.equal(fits.errors, undefined, JSON.stringify(fits.errors));
  });
});

// The gateway runs as a child process here: on code that evaluates a hostile expression, the
// request hangs the gateway's event loop, and the client's deadline fails the test instead of
// stalling the suite with it.
describe('hostile expressions against a gateway process', () => {
  const CATASTROPHIC = `$[?(/(.*)*!/.test('${'a'.repeat(40)}'))]`;
  const deadline = () => AbortSignal.timeout(20_000);
  let databaseUrl: string;
  let dataDir: string;
  let gw: GatewayProcess;
  let url: string;
  let key: string;
  let receiver: Receiver;
  before(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-expressions-'));
    receiver = await startReceiver();
    gw = spawnGateway({
      DATABASE_URL: databaseUrl, MASTER_KEY: randomBytes(32).toString('base64'), PORT: '0', DATA_DIR: dataDir,
      ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true',
    });
    url = (await gw.waitForLog('webhook gateway started', 60_000)).url as string;
    key = readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim();
  });
  after(async () => {
    gw.child.kill('SIGKILL');
    await gw.exited;
    await receiver.close();
    await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers BAD_USER_INPUT at once to a catastrophic regular expression, for a trigger and a subscription', async () => {
    const trigger = await gql(url, key, CREATE_TRIGGER, { input: { name: 'redos', agent: 'a', inputs: [], filter: CATASTROPHIC } }, { signal: deadline() });
    assert.deepEqual([trigger.errors?.[0]?.extensions?.code, trigger.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'filter']);
    const input = await gql(url, key, CREATE_TRIGGER, { input: { name: 'redos', agent: 'a', inputs: [{ name: 'x', path: CATASTROPHIC }] } }, { signal: deadline() });
    assert.deepEqual([input.errors?.[0]?.extensions?.code, input.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'inputs.0.path']);
    const sub = await gql(url, key, CREATE_SUBSCRIPTION, { i: { url: `${receiver.url}/x`, events: ['*'], filter: CATASTROPHIC } }, { signal: deadline() });
    assert.deepEqual([sub.errors?.[0]?.extensions?.code, sub.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'filter']);
    assert.equal((await fetch(`${url}/healthz`, { signal: deadline() })).status, 200);
  });

  it('never runs an expression saved under older rules: a trigger answers 400 naming it, a subscription matches nothing', async () => {
    // Saved before these rules: written straight into the tables, as an older version accepted them.
    const t = await createTrigger(url, key, { name: 'legacy', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query('UPDATE trigger SET filter = $2 WHERE id = $1', [t.id, CATASTROPHIC]);
      const answer = await post(t.url, standardWebhooks(t.secret, '{"n":1}'), {}, { signal: deadline() });
      assert.equal(answer.status, 400);
      assert.equal(answer.json.error.code, 'MAPPING_FAILED');
      assert.match(answer.json.error.message, /^filter: .* is not allowed: function calls are not allowed/);

      const legacy = await startReceiver();
      const plain = await startReceiver();
      try {
        const subscribe = async (r: Receiver, filter?: string) => {
          const res = await gql(url, key, CREATE_SUBSCRIPTION, { i: { url: `${r.url}/hook`, events: ['import.completed'], ...(filter ? { filter } : {}) } });
          assert.equal(res.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(res.errors));
          return res.data!.createWebhookSubscription.subscription.id as string;
        };
        const legacyId = await subscribe(legacy, '$.data');
        await subscribe(plain);
        await db.query('UPDATE webhook_subscription SET filter = $2 WHERE id = $1', [legacyId, CATASTROPHIC]);
        const data = { importId: 'i', source: 's', itemsImported: 1, itemsFailed: 0 };
        const published = await gql(url, key, PUBLISH, { i: { type: 'import.completed', data } }, { signal: deadline() });
        assert.equal(published.errors, undefined, JSON.stringify(published.errors));
        const eventId = published.data!.publishEvent.event.id as string;
        const { rows } = await db.query('SELECT subscription_id FROM outbound_delivery WHERE event_id = $1', [eventId]);
        assert.deepEqual(rows.map((r) => r.subscription_id).filter((id) => id === legacyId), [], 'the legacy filter matched nothing');
        assert.equal(rows.length, 1, 'the subscription without a filter got its delivery');
      } finally {
        await legacy.close();
        await plain.close();
      }
    } finally {
      await db.end();
    }
  });
});
