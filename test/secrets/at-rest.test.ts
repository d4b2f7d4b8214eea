import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { newId } from '../../src/platform/ids.ts';
import { activeSecrets, addSecret } from '../../src/secrets/secret-store.ts';
import { type Receiver } from '../support/receiver.ts';
import { gql, type TestService, withServiceAndReceiver } from '../support/service.ts';

/** Every text value of every row of every table, for "does this string appear anywhere". */
async function dumpDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schemaname: string; tablename: string }>(
      `SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    const parts: string[] = [];
    for (const t of tables) {
      const { rows } = await client.query(`SELECT t::text AS row FROM "${t.schemaname}"."${t.tablename}" t`);
      parts.push(...rows.map((r) => r.row as string));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

describe('secrets at rest', () => {
  let svc: TestService;
  let receiver: Receiver;
  withServiceAndReceiver((s, r) => {
    svc = s;
    receiver = r;
  });

  it('stores signing secrets and secret header values encrypted and API keys hashed: no row holds any in clear', async () => {
    const { db, cipher } = svc.services;
    const triggerId = newId('trigger');
    await db.trigger.create({ data: { id: triggerId, workspaceId: svc.workspaceId, name: 'gh', agent: 'code-review' } });
    const subscriptionId = newId('subscription');
    await db.webhookSubscription.create({ data: { id: subscriptionId, workspaceId: svc.workspaceId, url: 'https://example.com/hook', events: ['*'] } });

    const triggerSecret = 'It\'s a Secret to Everybody';
    const subscriptionSecret = `whsec_${Buffer.from('subscription-secret-bytes-0123456').toString('base64')}`;
    await addSecret(db, cipher, { kind: 'trigger', id: triggerId }, triggerSecret);
    await addSecret(db, cipher, { kind: 'subscription', id: subscriptionId }, subscriptionSecret);

    const headerValue = 'Bearer header-credential-0123456789';
    const withHeader = await gql(svc.url, svc.adminKey, `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }`, {
      i: { url: `${receiver.url}/hook`, events: ['*'], headers: [{ name: 'Authorization', value: headerValue, secret: true }] },
    });
    assert.equal(withHeader.data!.createWebhookSubscription.subscription.status, 'ACTIVE');
    assert.equal(receiver.received.at(-1)!.headers.authorization, headerValue, 'the receiver gets it in clear');

    const created = await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "ci", role: PUBLISHER}) { key } }');
    const apiKey = created.data!.createApiKey.key as string;

    const dump = await dumpDatabase(svc.databaseUrl);
    assert.ok(dump.length > 1000, 'the dump covers the data');
    for (const [label, clear] of [
      ['trigger secret', triggerSecret],
      ['subscription secret', subscriptionSecret],
      ['secret header value', headerValue.slice('Bearer '.length)],
      ['admin API key', svc.adminKey],
      ['publisher API key', apiKey],
    ] as const) {
      assert.ok(!dump.includes(clear), `${label} appears in clear text in the database`);
    }
    // The stored form opens again with the master key.
    const [t] = await activeSecrets(db, cipher, { kind: 'trigger', id: triggerId });
    assert.equal(t!.secret, triggerSecret);
    const [s] = await activeSecrets(db, cipher, { kind: 'subscription', id: subscriptionId });
    assert.equal(s!.secret, subscriptionSecret);
  });
});
