import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { EVENT_TYPES, eventDocsMarkdown } from '../../src/events/catalog.ts';
import { gql, startTestService, type TestService } from '../support/service.ts';

describe('event catalogue', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  it('has one schema per event of SPEC §7, served as JSON Schema by eventCatalog to any key', async () => {
    assert.deepEqual(EVENT_TYPES, [
      'session.created', 'session.finished', 'session.archived', 'tool.called', 'tool.error', 'review.completed',
      'import.completed', 'cost.threshold_exceeded', 'hook.violation', 'webhook.ping', 'subscription.disabled',
    ]);
    const publisher = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "p", role: PUBLISHER}) { key } }')).data!.createApiKey.key;
    const r = await gql(svc.url, publisher, '{ eventCatalog { type description schema } }');
    const catalog = r.data!.eventCatalog as Array<{ type: string; schema: any }>;
    assert.deepEqual(catalog.map((e) => e.type), EVENT_TYPES);
    const finished = catalog.find((e) => e.type === 'session.finished')!.schema;
    assert.equal(finished.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(finished.required.sort(), ['agent', 'durationMs', 'sessionId', 'status']);
    assert.deepEqual(finished.properties.status.enum, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    const cost = catalog.find((e) => e.type === 'cost.threshold_exceeded')!.schema;
    assert.deepEqual(cost.required.sort(), ['budgetId', 'period', 'scope', 'spentUsd', 'thresholdUsd']);
  });

  it('docs/events.md is generated from the catalogue and up to date (npm run docs:events)', () => {
    const onDisk = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    assert.equal(onDisk, eventDocsMarkdown(), 'docs/events.md is stale: run npm run docs:events');
  });
});
