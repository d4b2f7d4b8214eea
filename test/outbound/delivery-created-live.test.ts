// deliveryUpdated announces deliveries when they are created (SPEC §10): the fan-out of a commit
// sends one NOTIFY per workspace and CREATED_IDS_PER_MESSAGE ids, not one per delivery, and every
// live subscriber gets one update per new delivery, with no attempt yet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { CREATED_IDS_PER_MESSAGE } from '../../src/events/outbox.ts';
import { CHANNEL, LISTEN_APPLICATION_NAME } from '../../src/platform/realtime.ts';
import { gqlOk, openLiveSocket, type TestService, untilLive, within, withPublishingService } from '../support/service.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }`;
const PUBLISH_MANY = `mutation($i: PublishEventsInput!) { publishEvents(input: $i) { results { event { id } error { code } } } }`;
const TEST_EVENT = 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }';

interface Created { topic: string; workspaceId: string; data: { deliveryIds?: string[]; at: number } }

describe('deliveryUpdated on creation', () => {
  let svc: TestService;
  let publisher: string;
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' }, (s, key) => {
    svc = s;
    publisher = key;
  });

  it('announces a commit\'s new deliveries in one NOTIFY, and each to live subscribers once', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 200 }));
    const subs: string[] = [];
    for (const name of ['a', 'b']) {
      subs.push((await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey, CREATE,
        { i: { url: `${r.url}/${name}`, events: ['import.*'] } })).createWebhookSubscription.subscription.id);
    }
    const listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    const created: Created[] = [];
    listener.on('notification', (n) => {
      const m = JSON.parse(n.payload!) as Created;
      if (m.topic === 'delivery.updated' && m.data.deliveryIds) created.push(m);
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    const live = await openLiveSocket(svc.url, svc.adminKey,
      `subscription { deliveryUpdated(filter: {subscriptionId: "${subs[0]}"}) { recordedAt attempt { number } delivery { id status subscription { id } event { id } } } }`);
    try {
      await untilLive([live], () => gqlOk(svc.url, svc.adminKey, TEST_EVENT, { s: subs[0] }));
      live.received.length = 0;
      created.length = 0;
      // One batch, one transaction: 30 events, 60 deliveries, one creation message.
      const events = Array.from({ length: 30 }, (_, i) => ({ type: 'import.completed', data: { importId: `i${i}`, source: 's', itemsImported: i, itemsFailed: 0 } }));
      const out = await gqlOk<{ publishEvents: { results: Array<{ event: { id: string } }> } }>(svc.url, publisher, PUBLISH_MANY, { i: { events } });
      const eventIds = new Set(out.publishEvents.results.map((x) => x.event.id));
      // Creation updates carry no attempt (the attempts' own updates follow, each naming its attempt).
      const creations = () => live.received.map((m) => m.data.deliveryUpdated).filter((u) => eventIds.has(u.delivery.event.id) && u.attempt === null);
      await within(live.until(() => creations().length >= 30), 15_000, 'the creations');
      assert.equal(created.length, 1, JSON.stringify(created.map((m) => m.data.deliveryIds?.length)));
      assert.equal(created[0]!.data.deliveryIds!.length, 60);
      const mine = creations();
      // The filter applies: only subscription a's 30, each once.
      assert.equal(mine.length, 30);
      assert.equal(new Set(mine.map((u) => u.delivery.id)).size, 30);
      for (const u of mine) {
        assert.equal(u.delivery.subscription.id, subs[0]);
        assert.ok(Date.parse(u.recordedAt) <= Date.now());
      }
      assert.ok(mine.every((u) => created[0]!.data.deliveryIds!.includes(u.delivery.id)));
    } finally {
      await live.client.dispose();
      await listener.end();
    }
  });

  it('splits a large commit\'s ids into messages under NOTIFY\'s payload limit', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 200 }));
    const subs: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      subs.push((await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey, CREATE,
        { i: { url: `${r.url}/s${i}`, events: ['review.completed'] } })).createWebhookSubscription.subscription.id);
    }
    const listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    const created: Array<{ ids: string[]; bytes: number }> = [];
    listener.on('notification', (n) => {
      const m = JSON.parse(n.payload!) as Created;
      if (m.topic === 'delivery.updated' && m.data.deliveryIds) created.push({ ids: m.data.deliveryIds, bytes: Buffer.byteLength(n.payload!) });
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    try {
      const events = Array.from({ length: 100 }, (_, i) => ({ type: 'review.completed', data: { sessionId: `s${i}`, reviewId: `r${i}`, verdict: 'ok' } }));
      await gqlOk(svc.url, publisher, PUBLISH_MANY, { i: { events } });
      await within((async () => {
        while (created.reduce((n, m) => n + m.ids.length, 0) < 500) await new Promise((resolve) => listener.once('notification', resolve));
      })(), 15_000, '500 announced deliveries');
      assert.equal(created.length, Math.ceil(500 / CREATED_IDS_PER_MESSAGE));
      assert.ok(created.every((m) => m.bytes < 8000 && m.ids.length <= CREATED_IDS_PER_MESSAGE));
      assert.equal(new Set(created.flatMap((m) => m.ids)).size, 500);
    } finally {
      await listener.end();
    }
  });

  it('ends the stream with an error once the LISTEN connection is back, so a live view reloads what it missed', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 200 }));
    const sub = (await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey, CREATE,
      { i: { url: `${r.url}/gap`, events: ['tool.called'] } })).createWebhookSubscription.subscription.id;
    const live = await openLiveSocket(svc.url, svc.adminKey, `subscription { deliveryUpdated(filter: {subscriptionId: "${sub}"}) { delivery { id } } }`);
    try {
      await untilLive([live], () => gqlOk(svc.url, svc.adminKey, TEST_EVENT, { s: sub }));
      const { rowCount } = await svc.services.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [LISTEN_APPLICATION_NAME]);
      assert.equal(rowCount, 1);
      await within(live.until(() => live.errors.length > 0), 15_000, 'the stream\'s error');
      assert.match(JSON.stringify(live.errors[0]), /live updates were interrupted .*reload, then subscribe again/);
    } finally {
      await live.client.dispose();
    }
  });
});
