// Hostile input on POST /hooks/{id} (SPEC §5, §15): seeded cases across every signature scheme:
// bodies (random and nasty JSON, invalid UTF-8, binary, empty, over the limit, forms), content
// types, signature and timestamp headers (valid, stale, forged, malformed, repeated), replays,
// unknown and disabled triggers, and raw bytes that break HTTP framing. The gateway must answer
// every one below 500 (or 503), keep answering, and keep its heap bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { type FuzzGateway, SEED, fuzzAndCheck, startFuzzGateway } from './fuzz-kit.ts';
import { TRIGGERS, type Target, makeCase } from './hooks-cases.ts';

const CASES = Number(process.env.FUZZ_HOOKS_CASES ?? 12_000);

describe(`fuzzing POST /hooks/{id} (seed ${SEED}, ${CASES} cases; FUZZ_SEED and FUZZ_CASE replay)`, () => {
  let gateway: FuzzGateway;
  const targets: Target[] = [];
  before(async () => {
    gateway = await startFuzzGateway();
    for (const def of TRIGGERS) {
      const input = { name: def.name, signatureScheme: def.scheme, ...(def.hmac ? { hmac: def.hmac } : {}), ...def.input };
      const created = await createTrigger(gateway.url, gateway.adminKey, input);
      targets.push({ name: def.name, id: created.id, secret: created.secret, scheme: def.scheme, hmac: def.hmac });
    }
  });
  after(() => gateway?.stop());

  it('answers every case below 500 (or 503), keeps answering, and keeps its heap bounded', { timeout: 600_000 }, async (t) => {
    await fuzzAndCheck(t, gateway, { count: CASES, make: (rng) => makeCase(rng, targets) });

    // And still does its work: a signed webhook is accepted and listed.
    const std = targets.find((x) => x.name === 'std-mapped')!;
    const payload = '{"a":{"n":7},"title":"after the storm"}';
    const accepted = await post(`${gateway.url}/hooks/${std.id}`, standardWebhooks(std.secret, payload));
    assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    const listed = await gql(gateway.url, gateway.adminKey, '{ inboundDeliveries(first: 1) { edges { node { id } } } }');
    assert.equal(listed.data!.inboundDeliveries.edges[0].node.id, accepted.json.deliveryId);
  });
});
