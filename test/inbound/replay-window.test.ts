// Replay memory lasts REPLAY_WINDOW_HOURS (SPEC §5, §14): past it, the same message id is a new
// message, whether or not the inbound-maintenance job has pruned its memory yet. The job (run here
// directly, never on its schedule) removes replay memory past the window and rate-limit windows
// older than a minute, and keeps the rest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inboundMaintenance } from '../../src/inbound/maintenance-job.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

const WINDOW_HOURS = 2;

describe('replay window', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ REPLAY_WINDOW_HOURS: String(WINDOW_HOURS) });
  });
  after(() => svc.stop());

  /** Moves the replay memory of an accepted request back in time, as if it was accepted `hours` ago. */
  const acceptedAgo = async (deliveryId: string, hours: number) => {
    const { rowCount } = await svc.services.pool.query(
      'UPDATE inbound_message SET accepted_at = now() - make_interval(hours => $2) WHERE delivery_id = $1', [deliveryId, hours]);
    assert.ok(rowCount! > 0, `no replay memory for ${deliveryId}`);
  };
  const remembered = async (triggerId: string) =>
    (await svc.services.pool.query<{ delivery_id: string }>('SELECT DISTINCT delivery_id FROM inbound_message WHERE trigger_id = $1 ORDER BY 1', [triggerId]))
      .rows.map((r) => r.delivery_id);
  const sessions = async (triggerId: string) =>
    (await svc.services.pool.query('SELECT count(*)::int AS n FROM session WHERE trigger_id = $1', [triggerId])).rows[0].n as number;

  it('answers a message id accepted within the window as a replay, and one accepted before it as a new message', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'window' });
    const send = () => post(t.url, standardWebhooks(t.secret, '{"n":1}', { id: 'msg_window' }));
    const first = await send();
    assert.equal(first.status, 202);

    await acceptedAgo(first.json.deliveryId, WINDOW_HOURS - 1);
    const within = await send();
    assert.deepEqual(within.json, first.json, 'inside the window: the first answer again');
    assert.equal(await sessions(t.id), 1);

    await acceptedAgo(first.json.deliveryId, WINDOW_HOURS + 1);
    const past = await send();
    assert.equal(past.status, 202, JSON.stringify(past.json));
    assert.notEqual(past.json.deliveryId, first.json.deliveryId);
    assert.match(past.json.sessionId, /^ses_/);
    assert.notEqual(past.json.sessionId, first.json.sessionId, 'past the window: a new session');
    assert.equal(await sessions(t.id), 2);
    assert.deepEqual(await remembered(t.id), [past.json.deliveryId], 'the memory now names the new acceptance');
    assert.deepEqual((await send()).json, past.json, 'and a retry of it is a replay of the new one');
  });

  it('inbound-maintenance removes replay memory past the window and rate-limit windows older than a minute, and keeps the rest', async () => {
    const schedules = await svc.services.boss.getSchedules(inboundMaintenance.name);
    assert.deepEqual(schedules.map((s) => s.cron), [inboundMaintenance.schedule]);

    const t = await createTrigger(svc.url, svc.adminKey, { name: 'pruned' });
    const send = (id: string) => post(t.url, standardWebhooks(t.secret, '{}', { id }));
    const kept = await send('msg_kept');
    const dropped = await send('msg_dropped');
    assert.deepEqual([kept.status, dropped.status], [202, 202]);
    await acceptedAgo(kept.json.deliveryId, WINDOW_HOURS - 1);
    await acceptedAgo(dropped.json.deliveryId, WINDOW_HOURS + 1);
    const second = Math.floor(Date.now() / 1000);
    await svc.services.pool.query(
      `INSERT INTO rate_limit_window (key, window_start, hits) VALUES ('test:old', $1, 5), ('test:recent', $2, 5), ('test:now', $3, 5)`,
      [second - 120, second - 30, second]);

    await inboundMaintenance.handler({}, svc.services, { id: 'run-directly', retryCount: 0 });

    assert.deepEqual(await remembered(t.id), [kept.json.deliveryId]);
    const { rows } = await svc.services.pool.query<{ key: string }>(`SELECT key FROM rate_limit_window WHERE key LIKE 'test:%' ORDER BY key`);
    assert.deepEqual(rows.map((r) => r.key), ['test:now', 'test:recent']);
    // What the job removed was past the window anyway: the pruned id is new, the kept one a replay.
    const again = await send('msg_dropped');
    assert.equal(again.status, 202);
    assert.notEqual(again.json.sessionId, dropped.json.sessionId);
    assert.deepEqual((await send('msg_kept')).json, kept.json);
  });
});
