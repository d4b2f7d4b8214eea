// A timestamp stays fresh for 2 × toleranceSeconds (it may be stamped in the future), so replay
// memory (REPLAY_WINDOW_HOURS) must outlast that: a trigger whose tolerance does not fit is refused
// when saved, and a start whose window is too short for a stored trigger is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { CREATE_TRIGGER } from '../support/triggers.ts';

describe('toleranceSeconds against the replay window', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ REPLAY_WINDOW_HOURS: '1' });
  });
  after(() => svc.stop());

  const refusal = (r: { errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> }) =>
    [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.field, r.errors?.[0]?.message];

  it('refuses a tolerance of half the window or more when a trigger is created, updated or applied from YAML', async () => {
    const input = { name: 'wide', agent: 'a', inputs: [], toleranceSeconds: 1800 };
    const [code, field, message] = refusal(await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input }));
    assert.deepEqual([code, field], ['BAD_USER_INPUT', 'toleranceSeconds']);
    assert.match(message!, /REPLAY_WINDOW_HOURS=1\): at most 1799 s/);

    const ok = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { ...input, toleranceSeconds: 1799 } });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const id = ok.data!.createTrigger.trigger.id;
    const update = await gql(svc.url, svc.adminKey, 'mutation($i: UpdateTriggerInput!) { updateTrigger(input: $i) { trigger { id } } }', { i: { id, toleranceSeconds: 3600 } });
    assert.deepEqual(refusal(update).slice(0, 2), ['BAD_USER_INPUT', 'toleranceSeconds']);

    const yaml = 'apiVersion: webhooks/v1\nkind: Trigger\nname: from-yaml\nagent: a\nsignature:\n  scheme: SLACK\n  toleranceSeconds: 3000\n';
    const applied = await gql(svc.url, svc.adminKey, 'mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created } }', { i: { yaml, secret: 'slack-signing-secret' } });
    assert.deepEqual(refusal(applied).slice(0, 2), ['BAD_USER_INPUT', 'toleranceSeconds']);

    const { rows } = await svc.services.pool.query('SELECT name, tolerance_seconds FROM trigger ORDER BY name');
    assert.deepEqual(rows, [{ name: 'wide', tolerance_seconds: 1799 }], 'nothing refused was stored');
  });

  it('refuses to start with a REPLAY_WINDOW_HOURS too short for a stored trigger, naming the variable', async () => {
    const wide = await startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64') });
    let id: string;
    try {
      // Saved through a replica whose window (the default, 7 days) is long enough for it.
      const saved = await gql(wide.url, svc.adminKey, CREATE_TRIGGER, { input: { name: 'saved-wide', agent: 'a', inputs: [], toleranceSeconds: 7200 } });
      assert.equal(saved.errors, undefined, JSON.stringify(saved.errors));
      id = saved.data!.createTrigger.trigger.id;
    } finally {
      await wide.stop();
    }
    const env = { DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64') };
    const short = await startTestService({ ...env, REPLAY_WINDOW_HOURS: '4' }).catch((err: Error) => err);
    if (!(short instanceof Error)) {
      await short.stop();
      assert.fail('started with a replay window shorter than twice a stored tolerance');
    }
    assert.match(short.message, new RegExp(`REPLAY_WINDOW_HOURS: 4 is too short for trigger ${id}, whose toleranceSeconds is 7200: .*set at least 5`));
    const enough = await startTestService({ ...env, REPLAY_WINDOW_HOURS: '5' });
    await enough.stop();
  });
});
