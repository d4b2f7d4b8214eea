// Hostile input on /graphql (SPEC §11, §15): seeded cases (graphql-cases.ts) against a gateway
// holding real triggers, a subscription, events and deliveries, so operations reach their
// resolvers. The gateway must answer every one below 500 (or 503), keep answering, and keep its
// heap bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { type FuzzGateway, SEED, fuzzAndCheck, startFuzzGateway } from './fuzz-kit.ts';
import { type GraphqlWorld, makeGraphqlCase } from './graphql-cases.ts';

const CASES = Number(process.env.FUZZ_GRAPHQL_CASES ?? 8_000);

async function data(r: Promise<{ data?: any; errors?: unknown }>) {
  const { data: d, errors } = await r;
  assert.equal(errors, undefined, JSON.stringify(errors));
  return d;
}

describe(`fuzzing /graphql (seed ${SEED}, ${CASES} cases; FUZZ_SEED and FUZZ_CASE replay)`, () => {
  let gateway: FuzzGateway;
  let receiver: Receiver;
  let world: GraphqlWorld;
  before(async () => {
    // Subscriptions may point at the test's receiver on 127.0.0.1 only (graphql-cases.ts).
    gateway = await startFuzzGateway({ ALLOW_INSECURE_TARGETS: 'true', ALLOW_PRIVATE_TARGETS: 'true' });
    receiver = await startReceiver();
    const { url, adminKey } = gateway;
    const key = async (role: string) => (await data(gql(url, adminKey, `mutation { createApiKey(input: {name: "${role}", role: ${role}}) { key } }`))).createApiKey.key as string;
    const trigger = await createTrigger(url, adminKey, { name: 'fuzzed', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER', required: false }] });
    await createTrigger(url, adminKey, { name: 'fuzzed-github', signatureScheme: 'GITHUB', filter: "$[?(@.action == 'opened')]" });
    const sub = (await data(gql(url, adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }',
      { i: { url: `${receiver.url}/hook`, events: ['*'] } }))).createWebhookSubscription.subscription;
    assert.equal(sub.status, 'ACTIVE');
    assert.equal((await post(trigger.url, standardWebhooks(trigger.secret, '{"n":1}'))).status, 202);
    const publisherKey = await key('PUBLISHER');
    await data(gql(url, publisherKey, 'mutation { publishEvent(input: {type: "import.completed", data: {importId: "i", source: "s", itemsImported: 1, itemsFailed: 0}}) { event { id } } }'));
    const ids = await data(gql(url, adminKey, `{
      triggers(first: 10) { edges { node { id secrets { id } } } }
      webhookSubscriptions(first: 10) { edges { node { id secrets { id } } } }
      inboundDeliveries(first: 10) { edges { node { id session { id } } } }
      deliveries(first: 10) { edges { node { id event { id } } } }
    }`));
    world = {
      adminKey,
      viewerKey: await key('VIEWER'),
      publisherKey,
      receiverUrl: receiver.url,
      ids: [
        ...ids.triggers.edges.flatMap((e: any) => [e.node.id, ...e.node.secrets.map((s: any) => s.id)]),
        ...ids.webhookSubscriptions.edges.flatMap((e: any) => [e.node.id, ...e.node.secrets.map((s: any) => s.id)]),
        ...ids.inboundDeliveries.edges.flatMap((e: any) => [e.node.id, e.node.session?.id].filter(Boolean)),
        ...ids.deliveries.edges.flatMap((e: any) => [e.node.id, e.node.event.id]),
      ],
    };
  });
  after(async () => {
    await gateway?.stop();
    await receiver?.close();
  });

  it('answers every case below 500 (or 503), keeps answering, and keeps its heap bounded', { timeout: 600_000 }, async (t) => {
    await fuzzAndCheck(t, gateway, { count: CASES, make: (rng) => makeGraphqlCase(rng, world) });

    // And still does its work: queries and mutations answer as before.
    assert.equal((await data(gql(gateway.url, gateway.adminKey, '{ me { role } }'))).me.role, 'ADMIN');
    const created = await data(gql(gateway.url, gateway.adminKey, 'mutation { createApiKey(input: {name: "after", role: VIEWER}) { key } }'));
    assert.equal((await data(gql(gateway.url, created.createApiKey.key, '{ me { role } }'))).me.role, 'VIEWER');
  });
});
