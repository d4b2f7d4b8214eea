import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/platform/ids.ts';
import { purgeExpiredSecrets } from '../../src/secrets/purge-expired-secrets.ts';
import { activeSecrets, addSecret } from '../../src/secrets/secret-store.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

describe('secrets-purge-expired job (SPEC §8)', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  it('is scheduled, and a worker removes secrets whose overlap ended while keeping current and overlapping ones', async () => {
    const { db, cipher, boss } = svc.services;
    const schedules = await boss.getSchedules(purgeExpiredSecrets.name);
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0]!.cron, purgeExpiredSecrets.schedule);

    const triggerId = newId('trigger');
    await db.trigger.create({ data: { id: triggerId, workspaceId: svc.workspaceId, name: 't', agent: 'a' } });
    const owner = { kind: 'trigger' as const, id: triggerId };
    const current = await addSecret(db, cipher, owner, 'current');
    const overlapping = await addSecret(db, cipher, owner, 'overlapping');
    const expired = await addSecret(db, cipher, owner, 'expired');
    await db.triggerSecret.update({ where: { id: overlapping }, data: { expiresAt: new Date(Date.now() + 3_600_000) } });
    await db.triggerSecret.update({ where: { id: expired }, data: { expiresAt: new Date(Date.now() - 1000) } });

    // Queued now, not left to its schedule: a worker of this service takes it.
    const job = await boss.send(purgeExpiredSecrets.name, {});
    await until(async () => (await boss.getJobById(purgeExpiredSecrets.name, job!))?.state === 'completed', 'the purge job completed', 15_000);
    const left = await db.triggerSecret.findMany({ where: { triggerId }, select: { id: true } });
    assert.deepEqual(left.map((r) => r.id).sort(), [current, overlapping].sort());
    assert.deepEqual((await activeSecrets(db, cipher, owner)).map((s) => s.secret).sort(), ['current', 'overlapping']);
  });
});
