// agent-run jobs that run out of retries (SPEC §6, §15): the sessions they still hold are FAILED with
// the reason, announced by a `session.finished` event like any runtime's; none stays PENDING.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentRun } from '../../src/agent/agent-run-job.ts';
import { startReceiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, startTestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until as waitUntil } from '../support/wait.ts';

const SESSION = 'query($id: ID!) { node(id: $id) { ... on Session { id status error finishedAt } } }';

const until = <T>(fn: () => Promise<T | undefined | null | false>, what: string) => waitUntil(fn, what, 20_000);

describe('agent-run out of retries', () => {
  it('FAILS the session with the reason and publishes session.finished FAILED when the http runtime keeps answering 500', async () => {
    const runtime = await startReceiver();
    runtime.respond(() => ({ status: 500, body: 'runtime down' }));
    const secret = `whsec_${Buffer.from('runtime-signing-key-0123456789ab').toString('base64')}`;
    const svc = await startTestService({
      AGENT_RUNTIME: 'http', AGENT_RUNTIME_URL: `${runtime.url}/run`, AGENT_RUNTIME_SECRET: secret, ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true',
    });
    const subscriber = await startReceiver();
    try {
      // A tiny retry schedule: two retries, no delay.
      await svc.services.boss.updateQueue(agentRun.name, { retryLimit: 2, retryDelay: 0, retryBackoff: false });
      const sub = await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }',
        { i: { url: `${subscriber.url}/hook`, events: ['session.finished'] } });
      assert.equal(sub.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(sub.errors));
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'doomed', agent: 'coder', inputs: [{ name: 'q', path: '$.q' }] });
      const accepted = await post(t.url, standardWebhooks(t.secret, '{"q":"hi"}'));
      assert.equal(accepted.status, 202);
      const sessionId = accepted.json.sessionId as string;

      const s = await until(async () => {
        const node = (await gql(svc.url, svc.adminKey, SESSION, { id: sessionId })).data!.node;
        return node.status !== 'PENDING' ? node : undefined;
      }, 'the session to leave PENDING');
      assert.equal(s.status, 'FAILED');
      assert.match(s.error.message, /^the agent runtime did not take the session after 3 tries: .*agent runtime answered 500/);
      assert.ok(s.finishedAt);
      assert.equal(runtime.received.filter((r) => JSON.parse(r.body).sessionId === sessionId).length, 3, 'one try and two retries');

      const notice = await until(async () => subscriber.received.map((r) => JSON.parse(r.body)).find((b) => b.type === 'session.finished' && b.data.sessionId === sessionId), 'session.finished');
      assert.equal(notice.data.status, 'FAILED');
      assert.equal(notice.data.agent, 'coder');
      assert.equal(notice.data.error.message, s.error.message);
    } finally {
      await svc.stop();
      await runtime.close();
      await subscriber.close();
    }
  });
});
