// Every GraphQL operation the console sends (the client preset's documents, console/src/gql) is
// valid against schema.graphql and passes the gateway's depth and cost limits at their defaults:
// the console works on a gateway configured out of the box.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, specifiedRules, validate } from 'graphql';
import * as documents from '../../console/src/gql/graphql.ts';
import { costLimit } from '../../src/graphql/cost-limit.ts';
import { depthLimit } from '../../src/graphql/depth-limit.ts';
import { buildSchema } from '../../src/graphql/schema.ts';
import { loadConfig } from '../../src/platform/config.ts';

describe('the console\'s GraphQL operations', () => {
  it('are all valid and within the default depth and cost limits', () => {
    const config = loadConfig({}, []);
    const schema = buildSchema();
    const rules = [...specifiedRules, depthLimit(config.graphqlMaxDepth), costLimit(config.graphqlMaxCost)];
    const operations = Object.entries(documents).filter(([name]) => name.endsWith('Document'));
    assert.ok(operations.length >= 20, `found ${operations.length} operations`);
    for (const [name, doc] of operations) {
      const errors = validate(schema, parse(String(doc)), rules);
      assert.deepEqual(errors.map((e) => e.message), [], name);
    }
  });
});
