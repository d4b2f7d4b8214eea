// What the seeded fuzz suite (test/resilience/) found on POST /hooks/{id}, each pinned here (SPEC §5,
// §15: one request never fails, stalls or duplicates another's work; no 5xx but 503): bodies that are
// not objects, text PostgreSQL cannot store (NUL, unpaired surrogates) in mapped inputs, in refusal
// reasons and in sender ids, sender ids and headers of any length, and a group commit holding a
// request the database refuses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { post, standardWebhooks, stripe } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';
import { holdAuditHead } from '../support/writer-stall.ts';
import { until } from '../support/wait.ts';

const SESSION_INPUTS = 'query($id: ID!) { node(id: $id) { ... on Session { inputs } } }';

describe('hostile input on POST /hooks/{id}', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  const q = async (sql: string, params: unknown[] = []) => (await svc.services.pool.query(sql, params)).rows;

  it('maps a body that is not an object like any JSON document: a required input it lacks is a 400 naming the input, optional ones take their defaults', async () => {
    const required = await createTrigger(svc.url, svc.adminKey, { name: 'non-object-required', inputs: [{ name: 'n', path: '$.a.n', type: 'NUMBER' }] });
    const optional = await createTrigger(svc.url, svc.adminKey, { name: 'non-object-optional', inputs: [
      { name: 'n', path: '$.a.n', type: 'NUMBER', required: false },
      { name: 'ids', path: '$.items[*].id', type: 'ARRAY', required: false },
      { name: 'title', path: '$.title', required: false, defaultValue: '' },
      { name: 'obj', path: '$.obj', type: 'OBJECT', required: false },
    ] });
    for (const body of ['""', 'null', '0', '5', 'true', '"text"', '[]', '[{"a":{"n":1}}]', '[null]']) {
      const refused = await post(required.url, standardWebhooks(required.secret, body));
      assert.equal(refused.status, 400, `${body}: ${JSON.stringify(refused.json)}`);
      assert.deepEqual(refused.json.error, { code: 'MAPPING_FAILED', message: 'input "n": $.a.n matched nothing' }, body);
      const accepted = await post(optional.url, standardWebhooks(optional.secret, body));
      assert.equal(accepted.status, 202, `${body}: ${JSON.stringify(accepted.json)}`);
      const session = (await gql(svc.url, svc.adminKey, SESSION_INPUTS, { id: accepted.json.sessionId })).data!.node;
      assert.deepEqual(session.inputs, { ids: [], title: '' }, body);
    }
    // An array is a document like any other: its elements are reached by index.
    const indexed = await createTrigger(svc.url, svc.adminKey, { name: 'array-body', inputs: [{ name: 'id', path: '$[0].id' }] });
    const r = await post(indexed.url, standardWebhooks(indexed.secret, '[{"id":"first"},{"id":"second"}]'));
    assert.equal(r.status, 202, JSON.stringify(r.json));
    assert.deepEqual((await gql(svc.url, svc.adminKey, SESSION_INPUTS, { id: r.json.sessionId })).data!.node.inputs, { id: 'first' });
  });

  it('refuses with a 400 naming the input a mapped value PostgreSQL cannot store (NUL, unpaired surrogates, in strings or keys; nesting past 100 levels), records the refusal, starts nothing', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'unstorable', inputs: [
      { name: 'title', path: '$.title', required: false },
      { name: 'obj', path: '$.obj', type: 'OBJECT', required: false },
      { name: 'ids', path: '$.items[*].id', type: 'ARRAY', required: false },
    ] });
    const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    const text = 'holds a NUL character or an unpaired UTF-16 surrogate in a string, which cannot be stored';
    const cases: Array<[string, string]> = [
      ['{"title":"a\\u0000b"}', `input "title": the value at $.title ${text}`],
      ['{"title":"\\ud800"}', `input "title": the value at $.title ${text}`],
      ['{"title":"x\\udfff"}', `input "title": the value at $.title ${text}`],
      ['{"obj":{"k\\u0000":1}}', 'input "obj": the value at $.obj holds a NUL character or an unpaired UTF-16 surrogate in a key, which cannot be stored'],
      ['{"obj":{"a":["ok","\\udc00"]}}', `input "obj": the value at $.obj ${text}`],
      ['{"items":[{"id":1},{"id":"\\u0000"}]}', `input "ids": the value at $.items[*].id ${text}`],
      [`{"obj":${nested(101)}}`, 'input "obj": the value at $.obj nests deeper than 100 levels'],
      [`{"obj":${nested(6000)}}`, 'input "obj": the value at $.obj nests deeper than 100 levels'],
    ];
    for (const [body, message] of cases) {
      const r = await post(t.url, standardWebhooks(t.secret, body, { id: `msg_unstorable_${cases.findIndex(([b]) => b === body)}` }));
      assert.equal(r.status, 400, `${body.slice(0, 60)}: ${JSON.stringify(r.json)}`);
      assert.deepEqual(r.json.error, { code: 'MAPPING_FAILED', message });
    }
    const rows = await q(`SELECT message_id, outcome, refusal_code, refusal_reason FROM inbound_delivery WHERE trigger_id = $1 ORDER BY message_id`, [t.id]);
    assert.deepEqual(rows, cases.map(([, message], i) => ({ message_id: `msg_unstorable_${i}`, outcome: 'REFUSED', refusal_code: 'MAPPING_FAILED', refusal_reason: message })));
    assert.equal((await q('SELECT count(*)::int AS n FROM session WHERE trigger_id = $1', [t.id]))[0].n, 0);

    // Such text elsewhere in the payload is no one's business: only mapped inputs are stored.
    const fine = await post(t.url, standardWebhooks(t.secret, '{"title":"ok","other":"\\u0000\\ud800","obj":{"deep":{"er":[1]}}}'));
    assert.equal(fine.status, 202, JSON.stringify(fine.json));
    assert.deepEqual((await gql(svc.url, svc.adminKey, SESSION_INPUTS, { id: fine.json.sessionId })).data!.node.inputs, { title: 'ok', obj: { deep: { er: [1] } }, ids: [] });
  });

  it('stores the refusal of a body whose JSON error quotes a NUL byte, as it is answered (U+FFFD for the NUL)', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'nul-refusal' });
    const json = await post(t.url, standardWebhooks(t.secret, '{"a":\u0000}', { id: 'msg_nul_json' }));
    const form = await post(t.url, { ...standardWebhooks(t.secret, 'payload=%00', { id: 'msg_nul_form' }), headers: {
      ...standardWebhooks(t.secret, 'payload=%00', { id: 'msg_nul_form' }).headers, 'content-type': 'application/x-www-form-urlencoded' } });
    for (const r of [json, form]) {
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.error.code, 'MALFORMED_BODY');
      assert.ok(!r.json.error.message.includes('\u0000') && r.json.error.message.includes('\u{FFFD}'), r.json.error.message);
    }
    assert.match(json.json.error.message, /^body is not valid JSON: /);
    assert.match(form.json.error.message, /^form field "payload" is not valid JSON: /);
    const rows = await q(`SELECT message_id, refusal_reason FROM inbound_delivery WHERE trigger_id = $1 ORDER BY message_id`, [t.id]);
    assert.deepEqual(rows, [{ message_id: 'msg_nul_form', refusal_reason: form.json.error.message }, { message_id: 'msg_nul_json', refusal_reason: json.json.error.message }]);
  });

  it('accepts Stripe events whose id holds a NUL or an unpaired surrogate, keeps such ids apart, and answers each one\'s retry as its replay', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'stripe-odd-ids', signatureScheme: 'STRIPE' });
    const bodies = ['{"id":"evt_\\u0000"}', '{"id":"evt_\\ud800"}', '{"id":"evt_\\ud801"}', '{"id":"evt_\\ufffd"}'];
    const firsts = [];
    for (const body of bodies) {
      const r = await post(t.url, stripe(t.secret, body));
      assert.equal(r.status, 202, `${body}: ${JSON.stringify(r.json)}`);
      firsts.push(r.json);
    }
    assert.equal(new Set(firsts.map((f) => f.sessionId)).size, bodies.length, 'four ids, four messages: none taken for another');
    // A retry: the same event, signed again at another second, with the same id.
    const ts = Math.floor(Date.now() / 1000) - 5;
    for (const [i, body] of bodies.entries()) {
      const again = await post(t.url, stripe(t.secret, ` ${body}`, { ts }));
      assert.equal(again.status, 202, JSON.stringify(again.json));
      assert.deepEqual(again.json, firsts[i], `${body}: the retry gets the first answer`);
    }
    const shown = await q(`SELECT message_id, outcome FROM inbound_delivery WHERE trigger_id = $1 ORDER BY received_at, id`, [t.id]);
    assert.equal(shown.length, 8);
    assert.deepEqual(shown.map((r) => r.outcome), [...Array(4).fill('ACCEPTED'), ...Array(4).fill('REPLAYED')]);
    // The odd ids show as the key replay memory holds for them; a plain one as sent.
    for (const r of [...shown.slice(0, 3), ...shown.slice(4, 7)]) assert.match(r.message_id, /^id:[0-9a-f]{64}$/);
    assert.equal(shown[3]!.message_id, 'evt_\u{FFFD}');
  });

  it('takes sender ids and content types of any length: a 2.8 KB id is accepted, replayed, and shown and remembered as its key; a long content type is stored cut', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'long-ids' });
    const id = `msg_${'é'.repeat(1400)}`; // 2,804 bytes in UTF-8
    const contentType = `application/json; note=${'n'.repeat(5000)}`;
    const signed = standardWebhooks(t.secret, '{}', { id });
    const first = await post(t.url, { ...signed, headers: { ...signed.headers, 'content-type': contentType } });
    assert.equal(first.status, 202, JSON.stringify(first.json));
    const again = await post(t.url, standardWebhooks(t.secret, '{"retry":true}', { id }));
    assert.deepEqual([again.status, again.json], [202, first.json], 'the retry is a replay');
    const rows = await q(`SELECT message_id, content_type, outcome FROM inbound_delivery WHERE trigger_id = $1 ORDER BY received_at, id`, [t.id]);
    assert.deepEqual(rows.map((r) => r.outcome), ['ACCEPTED', 'REPLAYED']);
    assert.match(rows[0].message_id, /^id:[0-9a-f]{64}$/);
    assert.equal(rows[1].message_id, rows[0].message_id);
    assert.equal(rows[0].content_type, contentType.slice(0, 255));
    const memory = await q('SELECT message_id FROM inbound_message WHERE trigger_id = $1', [t.id]);
    assert.deepEqual(memory, [{ message_id: rows[0].message_id }]);
  });
});

describe('a group commit holding a request the database refuses', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  const queued = async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    return Number(/^webhook_gateway_inbound_writes_queued (\d+)$/m.exec(text)?.[1] ?? NaN);
  };

  it('writes the others once each, and gives the refused one its own answer: 400 when a value of its own was refused, 500 otherwise', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'poisoned-batch', inputs: [{ name: 'v', path: '$.v' }] });
    const odd = await createTrigger(svc.url, svc.adminKey, { name: 'poisoned-batch-stripe', signatureScheme: 'STRIPE' });
    // Two ways for PostgreSQL to refuse one request of a batch, whatever the checks let through: a
    // value it cannot convert (22P02, a data exception: the request's own fault), and a violated
    // constraint (23514: not the sender's to fix).
    await svc.services.pool.query(`ALTER TABLE session ADD CONSTRAINT session_v_cast CHECK (left(inputs->>'v', 1) <> '#' OR substr(inputs->>'v', 2)::int >= 0)`);
    await svc.services.pool.query(`ALTER TABLE session ADD CONSTRAINT session_v_boom CHECK (inputs->>'v' IS DISTINCT FROM 'boom')`);
    // An unpaired surrogate in a Stripe id, accepted before: its retry rides in the same batch.
    const oddFirst = await post(odd.url, stripe(odd.secret, '{"id":"evt_\\udbff"}'));
    assert.equal(oddFirst.status, 202, JSON.stringify(oddFirst.json));

    // The test holds the workspace's audit chain head: the writer's first flush waits on it, and
    // the requests sent meanwhile queue up for the next one, together.
    const { writerWaiting, release } = await holdAuditHead(svc);
    try {
      const first = post(t.url, standardWebhooks(t.secret, '{"v":"first"}', { id: 'msg_batch_first' }));
      await writerWaiting();
      // Queued one at a time, in this order: the refused value first, two requests with one message
      // id (the second is the first's replay), the rest.
      const sent: Record<string, ReturnType<typeof post>> = {};
      const send = async (name: string, request: () => ReturnType<typeof post>) => {
        const before = await queued();
        sent[name] = request();
        await until(async () => (await queued()) === before + 1, `${name} queued`);
      };
      await send('cast', () => post(t.url, standardWebhooks(t.secret, '{"v":"#x"}', { id: 'msg_batch_cast' })));
      await send('good', () => post(t.url, standardWebhooks(t.secret, '{"v":"good"}', { id: 'msg_batch_good' })));
      await send('goodAgain', () => post(t.url, standardWebhooks(t.secret, '{"v":"good, again"}', { id: 'msg_batch_good' })));
      await send('boom', () => post(t.url, standardWebhooks(t.secret, '{"v":"boom"}', { id: 'msg_batch_boom' })));
      await send('oddRetry', () => post(odd.url, stripe(odd.secret, ' {"id":"evt_\\udbff"}', { ts: Math.floor(Date.now() / 1000) - 3 })));
      await send('also', () => post(t.url, standardWebhooks(t.secret, '{"v":"also"}', { id: 'msg_batch_also' })));
      await release();

      assert.equal((await first).status, 202);
      const good = await sent.good!;
      const also = await sent.also!;
      for (const r of [good, also]) assert.equal(r.status, 202, JSON.stringify(r.json));
      const goodAgain = await sent.goodAgain!;
      assert.deepEqual([goodAgain.status, goodAgain.json], [202, good.json], 'the second of one message id is the first one\'s replay');
      const cast = await sent.cast!;
      assert.deepEqual([cast.status, cast.json.error?.code], [400, 'MALFORMED_BODY'], JSON.stringify(cast.json));
      const boom = await sent.boom!;
      assert.deepEqual([boom.status, boom.json.error?.code], [500, 'INTERNAL'], JSON.stringify(boom.json));
      const oddRetry = await sent.oddRetry!;
      assert.deepEqual([oddRetry.status, oddRetry.json], [202, oddFirst.json], 'the retry is the first one\'s replay');

      const rows = (await svc.services.pool.query(
        `SELECT message_id, outcome, refusal_code, session_id FROM inbound_delivery WHERE trigger_id = $1 ORDER BY message_id, outcome`, [t.id])).rows;
      assert.deepEqual(rows.map((r) => [r.message_id, r.outcome, r.refusal_code]), [
        ['msg_batch_also', 'ACCEPTED', null], ['msg_batch_cast', 'REFUSED', 'MALFORMED_BODY'], ['msg_batch_first', 'ACCEPTED', null],
        ['msg_batch_good', 'ACCEPTED', null], ['msg_batch_good', 'REPLAYED', null],
      ], 'each accepted once, the refused value recorded as a refusal, the failed one not at all');
      assert.deepEqual(rows.filter((r) => r.outcome === 'ACCEPTED').map((r) => r.session_id).sort(), [also.json.sessionId, (await first).json.sessionId, good.json.sessionId].sort());
      const sessions = await svc.services.pool.query(`SELECT inputs->>'v' AS v FROM session WHERE trigger_id = $1 ORDER BY 1`, [t.id]);
      assert.deepEqual(sessions.rows.map((r) => r.v), ['also', 'first', 'good']);
      const memory = await svc.services.pool.query(`SELECT message_id FROM inbound_message WHERE trigger_id = $1 ORDER BY 1`, [t.id]);
      assert.deepEqual(memory.rows.map((r) => r.message_id), ['msg_batch_also', 'msg_batch_first', 'msg_batch_good']);
      const audit = await svc.services.pool.query(`SELECT outcome::text AS outcome, count(*)::int AS n FROM webhook_audit WHERE trigger_id = $1 GROUP BY 1 ORDER BY 1`, [t.id]);
      assert.deepEqual(audit.rows, [{ outcome: 'ACCEPTED', n: 3 }, { outcome: 'REFUSED', n: 1 }, { outcome: 'REPLAYED', n: 1 }]);
    } finally {
      await release();
      await svc.services.pool.query('ALTER TABLE session DROP CONSTRAINT IF EXISTS session_v_cast, DROP CONSTRAINT IF EXISTS session_v_boom');
    }
  });
});
