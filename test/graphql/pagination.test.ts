// Every Relay list of the Query type pages past page one (src/graphql/pagination.ts): with N + 1
// items and `first: N`, the first page holds N and says there is more; the page after its
// endCursor holds exactly the one left and says there is no more; together they are the list,
// in its order, each item once. Each list runs in a workspace of its own, so it holds exactly
// the items its setup made.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildSchema, getNamedType } from 'graphql';
import { auditEntryId } from '../../src/audit/audit-entry.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { type Receiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gqlOk, type TestService, withServiceAndReceiver } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

const N = 3;

interface Setup {
  url: string;
  key: string;
  workspaceId: string;
  receiver: Receiver;
  svc: TestService;
}

const times = <T>(n: number, make: (i: number) => Promise<T>) => Array.from({ length: n }, (_, i) => i).reduce(
  async (done, i) => [...(await done), await make(i)], Promise.resolve([] as T[]));

/** Accepted inbound requests on a new trigger: their inbound deliveries and sessions. */
async function acceptMany(s: Setup, n: number) {
  const t = await createTrigger(s.url, s.key, { name: 'paged' });
  return times(n, async (i) => {
    const r = await post(t.url, standardWebhooks(t.secret, JSON.stringify({ i })));
    assert.equal(r.status, 202, JSON.stringify(r.json));
    return r.json as { deliveryId: string; sessionId: string };
  });
}

/** Each list, and how to make N + 1 items in it; returns their ids. */
const LISTS: Array<{ list: string; make: (s: Setup) => Promise<string[]> }> = [
  {
    list: 'apiKeys',
    make: async (s) => {
      const own = (await gqlOk(s.url, s.key, '{ me { apiKey { id } } }')).me.apiKey.id as string;
      const made = await times(N, async (i) => (await gqlOk(s.url, s.key, 'mutation($n: String!) { createApiKey(input: {name: $n, role: VIEWER}) { apiKey { id } } }', { n: `key-${i}` })).createApiKey.apiKey.id as string);
      return [own, ...made];
    },
  },
  {
    list: 'consoleLinks',
    make: (s) => times(N + 1, async () => (await gqlOk(s.url, s.key, 'mutation { createConsoleLink(input: {}) { id } }')).createConsoleLink.id as string),
  },
  {
    list: 'triggers',
    make: (s) => times(N + 1, async (i) => (await createTrigger(s.url, s.key, { name: `trigger-${i}` })).id),
  },
  {
    list: 'webhookSubscriptions',
    make: (s) => times(N + 1, async (i) => {
      const r = await gqlOk(s.url, s.key, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }',
        { i: { url: `${s.receiver.url}/s${i}`, events: ['tool.called'] } });
      return r.createWebhookSubscription.subscription.id as string;
    }),
  },
  {
    list: 'inboundDeliveries',
    make: async (s) => (await acceptMany(s, N + 1)).map((a) => a.deliveryId),
  },
  {
    list: 'sessions',
    make: async (s) => (await acceptMany(s, N + 1)).map((a) => a.sessionId),
  },
  {
    list: 'deliveries',
    make: async (s) => {
      await gqlOk(s.url, s.key, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }',
        { i: { url: `${s.receiver.url}/deliveries`, events: ['tool.called'] } });
      await times(N + 1, (i) => gqlOk(s.url, s.key, 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }',
        { i: { type: 'tool.called', data: { sessionId: 'ses_paged', tool: 'grep', arguments: { i } } } }));
      const { rows } = await s.svc.services.pool.query<{ id: string }>('SELECT id FROM outbound_delivery WHERE workspace_id = $1', [s.workspaceId]);
      return rows.map((r) => r.id);
    },
  },
  {
    list: 'auditLog',
    make: async (s) => {
      await acceptMany(s, N + 1);
      const { rows } = await s.svc.services.pool.query<{ id: string; occurred_at: Date }>(
        'SELECT id::text AS id, occurred_at FROM webhook_audit WHERE workspace_id = $1', [s.workspaceId]);
      return rows.map((r) => auditEntryId({ id: r.id, occurredAt: r.occurred_at }));
    },
  },
];

describe('pagination past page one', () => {
  let svc: TestService;
  let receiver: Receiver;
  withServiceAndReceiver((s, r) => {
    svc = s;
    receiver = r;
  });

  it('covers every list of the Query type in schema.graphql', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    const connections = Object.values(schema.getQueryType()!.getFields()).filter((f) => /Connection$/.test(getNamedType(f.type).name)).map((f) => f.name);
    assert.deepEqual(connections.sort(), LISTS.map((l) => l.list).sort());
  });

  for (const { list, make } of LISTS) {
    it(`${list}: first: ${N} of ${N + 1}, then the one left after its endCursor`, async () => {
      const { workspace, adminKey } = await createWorkspace(svc.services.db, `paged ${list}`);
      const made = await make({ url: svc.url, key: adminKey, workspaceId: workspace.id, receiver, svc });
      assert.equal(new Set(made).size, N + 1, `${list}: the setup made ${N + 1} items`);
      const page = async (first: number, after: string | null) => {
        const r = await gqlOk(svc.url, adminKey, `query($first: Int!, $after: String) { ${list}(first: $first, after: $after) {
          edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, { first, after });
        const c = r[list] as { edges: Array<{ cursor: string; node: { id: string } }>; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };
        return { ids: c.edges.map((e) => e.node.id), cursors: c.edges.map((e) => e.cursor), ...c.pageInfo };
      };

      const whole = await page(100, null);
      assert.deepEqual([...whole.ids].sort(), [...made].sort(), `${list}: the list holds what was made`);
      const first = await page(N, null);
      assert.deepEqual([first.ids.length, first.hasNextPage, first.hasPreviousPage], [N, true, false]);
      assert.equal(first.endCursor, first.cursors.at(-1));
      const second = await page(N, first.endCursor);
      assert.deepEqual([second.ids.length, second.hasNextPage, second.hasPreviousPage], [1, false, true], `${list}: the second page holds exactly the rest`);
      assert.deepEqual([...first.ids, ...second.ids], whole.ids, `${list}: the pages are the list, in its order, each item once`);
      const beyond = await page(N, second.endCursor);
      assert.deepEqual([beyond.ids, beyond.hasNextPage, beyond.endCursor], [[], false, null]);
    });
  }
});
