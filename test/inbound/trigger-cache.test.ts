// The /hooks trigger cache (src/inbound/trigger-context.ts): a change made in this process drops the
// entry at once, a load that was in flight when the change came does not store what it read, and a
// change made through one replica reaches another replica's cache over NOTIFY, not after its TTL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { TriggerCache, type TriggerContext, forgetTrigger } from '../../src/inbound/trigger-context.ts';
import { CHANNEL } from '../../src/platform/realtime.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { startGatewayOnDatabase } from '../support/process.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gqlOk, openLiveSocket, startTestService, untilLive, within } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

const context = (secret: string) => ({ id: 'trg_1', secrets: [secret] }) as unknown as TriggerContext;

describe('TriggerCache', () => {
  it('serves from memory until forgetTrigger(), then loads again', async () => {
    let loads = 0;
    let secret = 'old';
    const cache = new TriggerCache(async () => (loads++, context(secret)), 60_000);
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['old']);
    secret = 'new';
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['old']);
    assert.equal(loads, 1);
    forgetTrigger('trg_1');
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['new']);
    assert.equal(loads, 2);
  });

  it('does not keep what a load read before an invalidation that came while it ran', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let secret = 'old';
    const cache = new TriggerCache(async () => {
      const read = context(secret);
      await gate;
      return read;
    }, 60_000);
    const inFlight = cache.get('trg_1');
    secret = 'new';
    cache.invalidate('trg_1');
    release();
    assert.deepEqual((await inFlight)!.secrets, ['old'], 'the caller that asked before the change gets what was read');
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['new'], 'the next one reads again');
  });
});

describe('TriggerCache under load', () => {
  it('sends one load for the requests that meet a missing entry together', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cache = new TriggerCache(async () => {
      loads++;
      await gate;
      return context('s');
    }, 60_000);
    const waiting = Array.from({ length: 20 }, () => cache.get('trg_1'));
    release();
    const got = await Promise.all(waiting);
    assert.equal(loads, 1);
    assert.ok(got.every((g) => g!.secrets[0] === 's'));
  });
});

describe('TriggerCache across replica processes', () => {
  it('a secret rotated through one replica is refused at once by another replica process that had the trigger cached', async () => {
    const databaseUrl = await createTestDatabase();
    const masterKey = randomBytes(32).toString('base64');
    // The replica under test is the real entry point in a process of its own: it learns of the
    // change only through its LISTEN connection, as a replica on another machine would.
    const child = await startGatewayOnDatabase(databaseUrl, { MASTER_KEY: masterKey });
    const first = await startTestService({ DATABASE_URL: databaseUrl, MASTER_KEY: masterKey });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const live = await openLiveSocket(child.url, child.adminKey, 'subscription { auditAppended { id } }');
    try {
      const workspaceId = (await gqlOk(child.url, child.adminKey, '{ me { workspace { id } } }')).me.workspace.id as string;
      // Notifications reach the child in commit order on its one LISTEN connection, and it hands
      // each to its handlers before the next: once a marker sent after a change has come out of
      // the child's socket, the change's own notification has been handled there.
      const marker = (id: string) =>
        db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'audit.appended', workspaceId, data: { id } })]);
      const handled = (id: string) => within(live.until((got) => got.some((m) => m.data?.auditAppended?.id === id)), 15_000, `the marker ${id} through the child`);
      let probes = 0;
      await untilLive([live], () => marker(`aud_probe_${probes++}`));

      const t = await createTrigger(first.url, child.adminKey, { name: 'cached' });
      const onChild = `${child.url}/hooks/${t.id}`;
      assert.equal((await post(onChild, standardWebhooks(t.secret, '{"n":1}'))).status, 202, 'accepted by the child, which has the trigger cached now');

      const rotated = await gqlOk(first.url, child.adminKey, 'mutation($id: ID!) { rotateTriggerSecret(input: {triggerId: $id, overlapHours: 0}) { secret } }', { id: t.id });
      await marker('aud_after_rotation');
      await handled('aud_after_rotation');

      const old = await post(onChild, standardWebhooks(t.secret, '{"n":2}'));
      assert.equal(old.status, 401, `the child still accepted the old secret from its cache: ${JSON.stringify(old.json)}`);
      assert.equal(old.json.error.code, 'INVALID_SIGNATURE');
      assert.equal((await post(onChild, standardWebhooks(rotated.rotateTriggerSecret.secret, '{"n":3}'))).status, 202, 'the new secret is accepted');

      // The same for a trigger disabled through the first replica: the child answers 404.
      await gqlOk(first.url, child.adminKey, 'mutation($id: ID!) { updateTrigger(input: {id: $id, enabled: false}) { trigger { enabled } } }', { id: t.id });
      await marker('aud_after_disable');
      await handled('aud_after_disable');
      assert.equal((await post(onChild, standardWebhooks(rotated.rotateTriggerSecret.secret, '{"n":4}'))).status, 404, 'the disabled trigger still accepted by the child');
    } finally {
      await live.client.dispose();
      await db.end();
      await first.stop();
      await child.stop();
      await dropTestDatabase(databaseUrl);
    }
  });
});
