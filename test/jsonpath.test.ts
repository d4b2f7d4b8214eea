// The JSONPath check (src/platform/jsonpath.ts) against the jsonpath-plus it guards: the check must see the
// very code jsonpath-plus would run, and what it allows must run in bounded time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JSONPath } from 'jsonpath-plus';
import { JSONPATH_LIMITS, JsonPathRefused, checkJsonPath, compileJsonPath, rewriteScript } from '../src/platform/jsonpath.ts';

describe('JSONPath check', () => {
  it('rewrites scripts exactly as the installed jsonpath-plus does before it parses them', () => {
    const seen: string[] = [];
    // jsonpath-plus accepts a class as `eval`: it builds one per script with the rewritten code and
    // asks it to run. This one only records the code.
    class Recorder {
      constructor(script: string) {
        seen.push(script);
      }
      runInNewContext() {
        return false;
      }
    }
    const corpus = [
      "@.a == 'x'", '@root.a === 1', '@.a == "@"', "@parentProperty == 'x' && @property < 3", "@path === '$[0]'",
      '/(a)@/.test(@)', '@.b / 2 > @.c / 3', "'@' == @", '@.x == "it\'s @"', '!@.draft', '@parent.n >= -1',
    ];
    for (const code of corpus) {
      seen.length = 0;
      JSONPath({ path: `$[?(${code})]`, json: [1], eval: Recorder as never, ignoreEvalErrors: true });
      assert.deepEqual(seen, [rewriteScript(code)], code);
    }
  });

  it('allows paths, literals, comparisons and logical operators', () => {
    for (const path of [
      "$[?(@.action == 'opened')]", "$[?(@.data.status == 'FAILED')]", '$[?(@.data.inputs.n < 5)]', '$.pull_request.number',
      "$.items[?(@.tags[0] === 'a' && !@.draft || @['x-y'] != null)].id", '$.a[0:2]', "$['a','b']", '$[a,b]', '$.a.*.b',
      "$[?(@root.kind === 'pr' && @property !== 'x' && @parentProperty !== 'y')]", '$.list[*]', '$[?(@ === -1)]',
    ]) {
      assert.doesNotThrow(() => checkJsonPath(path), path);
    }
  });

  it('refuses what could run code, allocate or repeat without bound, saying what', () => {
    const cases: Array<[string, RegExp]> = [
      ["$[?(/(.*)*!/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'))]", /function calls/],
      ['$[?(@.x == /a+/)]', /regular expressions/],
      ['$[?(@.title.padEnd(1e9))]', /function calls/],
      ['$[?(new Date() > 1)]', /`new`/],
      ['$[?(@.constructor)]', /\.constructor/],
      ["$[?(@['__proto__'])]", /__proto__/],
      ['$[?(`${@.a}` == "x")]', /template literals/],
      ['$[?(@.a = 1)]', /assignment/],
      ['$[?(@.a++)]', /assignment/],
      ['$[?(this.a)]', /`this`/],
      ['$[?(process)]', /"process" is not allowed/],
      ['$[?(@.a + @.a > 1)]', /operator \+/],
      ['$[?(@[@.key] == 1)]', /string or number literal/],
      ['$[?(@.a ? 1 : 0)]', /\?:/],
      ['$[?([1, 2])]', /array literals/],
      ["$[?(@root.items == 'x')]", /@root and @parent/],
      ["$[?(@parent == 'x')]", /@root and @parent/],
      ["$[?(@.a == '(x)')]", /nested filters/],
      ['$..a', /recursive descent/],
      ['$.a^', /parent selector/],
      ['$[(@.length - 1)]', /script segments/],
      ["$[a,(@.x.repeat(9))]", /plain names and indexes/],
      ['$[`a,(@.x.repeat(9))]', /plain names and indexes/],
      ["$['a','a']", /twice/],
      ['$[a,a]', /twice/],
      ['$.a@other()', /value-type selector/],
      [`$.${'a'.repeat(JSONPATH_LIMITS.length)}`, /at most 1000 characters/],
      [`$${'.a'.repeat(JSONPATH_LIMITS.segments)}`, /at most 32 segments/],
      [`$[?(${'!('.repeat(25)}@.a${')'.repeat(25)})]`, /nest at most 20/],
      [`$[?(${Array.from({ length: 14 }, () => '@.a === 1').join(' || ')})]`, /at most 64 syntax nodes/],
      ['$[?(@.a ==\n 1)]', /control characters/],
      ['x.a', /must start with \$/],
      ['$[?(@.a ==)]', /does not parse/],
    ];
    for (const [path, reason] of cases) {
      assert.throws(() => checkJsonPath(path), (err: Error) => err instanceof JsonPathRefused && reason.test(err.message), path);
      assert.throws(() => compileJsonPath(path), JsonPathRefused, path);
    }
  });

  it('answers a filter on the root for the document itself, any other path for any match', () => {
    const doc = { action: 'opened', items: [{ id: 1 }, { id: 2 }] };
    assert.equal(compileJsonPath("$[?(@.action == 'opened')]").matches(doc), true);
    assert.equal(compileJsonPath("$[?(@.action == 'closed')]").matches(doc), false);
    assert.deepEqual(compileJsonPath('$.items[?(@.id > 1)].id').query(doc), [2]);
    assert.deepEqual(compileJsonPath('$.x').query(null), [], 'jsonpath-plus answers undefined for a falsy document');
  });
});
