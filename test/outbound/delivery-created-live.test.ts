// deliveryUpdated announces deliveries when they are created (SPEC §10): the fan-out of a commit
// sends one NOTIFY per workspace and CREATED_IDS_PER_MESSAGE ids, not one per delivery, and every
// live subscriber gets one update per new delivery, with no attempt yet. A commit's attempts are
// announced the same way (ids with their attempt numbers), and their audit rows by seq.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { CREATED_IDS_PER_MESSAGE } from '../../src/events/outbox.ts';
import { ATTEMPTS_PER_MESSAGE } from '../../src/outbound/delivery-job.ts';
import { CHANNEL, LISTEN_APPLICATION_NAME } from '../../src/platform/realtime.ts';
import { gqlOk, openLiveSocket, type TestService, untilLive, within, withPublishingService } from '../support/service.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }`;
const PUBLISH_MANY = `mutation($i: PublishEventsInput!) { publishEvents(input: $i) { results { event { id } error { code } } } }`;
const TEST_EVENT = 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }';

interface Created { topic: string; workspaceId: string; data: { deliveryIds?: string[]; attempts?: number[]; at: number } }

/** A creation message: ids without attempt numbers (a commit's attempts carry theirs beside the ids). */
const isCreation = (m: Created) => m.topic === 'delivery.updated' && m.data.deliveryIds !== undefined && m.data.attempts === undefined;

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
      if (isCreation(m)) created.push(m);
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
      if (isCreation(m)) created.push({ ids: m.data.deliveryIds!, bytes: Buffer.byteLength(n.payload!) });
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

  it('announces a commit\'s attempts together (ids with their numbers, audit rows by seq) and each to live subscribers once', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 200 }));
    const subs: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      subs.push((await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey, CREATE,
        { i: { url: `${r.url}/attempts${i}`, events: ['tool.error'] } })).createWebhookSubscription.subscription.id);
    }
    const listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    const attempted: Array<{ ids: string[]; attempts: number[]; bytes: number }> = [];
    const appended: Array<Record<string, unknown>> = [];
    listener.on('notification', (n) => {
      const m = JSON.parse(n.payload!) as Created & { data: Record<string, unknown> };
      if (m.topic === 'delivery.updated' && m.data.attempts) attempted.push({ ids: m.data.deliveryIds!, attempts: m.data.attempts, bytes: Buffer.byteLength(n.payload!) });
      if (m.topic === 'audit.appended' && m.workspaceId === svc.workspaceId) appended.push(m.data);
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    const deliveries = await openLiveSocket(svc.url, svc.adminKey,
      `subscription { deliveryUpdated(filter: {subscriptionId: "${subs[0]}"}) { attempt { number statusCode } delivery { id status event { id } } } }`);
    const audit = await openLiveSocket(svc.url, svc.adminKey,
      `subscription { auditAppended(filter: {subscriptionId: "${subs[0]}"}) { id seq attempt statusCode outcome deliveryId subscriptionId hash } }`);
    try {
      await untilLive([deliveries, audit], () => gqlOk(svc.url, svc.adminKey, TEST_EVENT, { s: subs[0] }));
      deliveries.received.length = 0;
      audit.received.length = 0;
      attempted.length = 0;
      appended.length = 0;
      const events = Array.from({ length: 40 }, (_, i) => ({ type: 'tool.error', data: { sessionId: `att${i}`, tool: 't', error: { message: 'm' } } }));
      const out = await gqlOk<{ publishEvents: { results: Array<{ event: { id: string }; error: unknown }> } }>(svc.url, publisher, PUBLISH_MANY, { i: { events } });
      assert.ok(out.publishEvents.results.every((x) => x.error === null));
      const eventIds = new Set(out.publishEvents.results.map((x) => x.event.id));
      // The test event's attempt (the probe above) may still come in: only these events' attempts count.
      const attemptsOf = () => deliveries.received.map((m) => m.data.deliveryUpdated).filter((u) => u.attempt !== null && eventIds.has(u.delivery.event.id));
      const ours = () => new Set(attemptsOf().map((u) => u.delivery.id));
      const rowsOf = () => audit.received.map((m) => m.data.auditAppended).filter((a) => ours().has(a.deliveryId));
      await within(deliveries.until(() => attemptsOf().length >= 40), 15_000, 'subscription a\'s 40 attempts');
      await within(audit.until(() => rowsOf().length >= 40), 15_000, 'subscription a\'s 40 audit rows');
      // A probe's attempt may still be announced after the lists were cleared: only these events' deliveries count.
      const { rows: ourRows } = await svc.services.pool.query<{ id: string }>('SELECT id FROM outbound_delivery WHERE event_id = ANY($1)', [[...eventIds]]);
      const ourDeliveries = new Set(ourRows.map((d) => d.id));
      assert.equal(ourDeliveries.size, 120);
      const announced = () => attempted.flatMap((m) => m.ids).filter((id) => ourDeliveries.has(id));
      await within((async () => {
        while (announced().length < 120) await new Promise((resolve) => listener.once('notification', resolve));
      })(), 15_000, '120 announced attempts');

      // On the wire: each message names its deliveries with their attempt numbers, under NOTIFY's limit.
      assert.ok(attempted.every((m) => m.ids.length === m.attempts.length && m.ids.length <= ATTEMPTS_PER_MESSAGE && m.bytes < 8000));
      assert.ok(attempted.every((m) => m.attempts.every((n) => n === 1)));
      assert.equal(announced().length, 120, 'each attempt announced once');
      assert.equal(new Set(announced()).size, 120);
      // Audit messages name the seqs an append stored, not the rows.
      assert.ok(appended.length > 0 && appended.every((d) => Number.isInteger(d.fromSeq) && (d.toSeq as number) >= (d.fromSeq as number) && !('hash' in d)));

      // To subscribers: each attempt of subscription a once, with its attempt, and its audit row whole.
      const mine = attemptsOf();
      assert.equal(mine.length, 40);
      assert.equal(new Set(mine.map((u) => u.delivery.id)).size, 40);
      assert.ok(mine.every((u) => u.attempt.number === 1 && u.attempt.statusCode === 200 && u.delivery.status === 'SUCCEEDED'));
      const rows = rowsOf();
      assert.equal(rows.length, 40);
      assert.deepEqual(new Set(rows.map((a) => a.deliveryId)), new Set(mine.map((u) => u.delivery.id)));
      assert.ok(rows.every((a) => a.id.startsWith('aud_') && a.subscriptionId === subs[0] && a.attempt === 1 && a.statusCode === 200
        && a.outcome === 'SUCCEEDED' && /^[0-9a-f]{64}$/.test(a.hash)));
      assert.equal(new Set(rows.map((a) => a.seq)).size, 40);
    } finally {
      await Promise.all([deliveries.client.dispose(), audit.client.dispose()]);
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
