// Tenant-written JSONPath (SPEC §5, §15): trigger filters and input mappings, subscription filters.
// jsonpath-plus evaluates scripts with its "safe" evaluator, which still runs any JavaScript
// expression a script holds: method calls (`'x'.repeat(1e9)` allocates without bound) and regular
// expressions (`/(.*)*!/` backtracks for hours). So an expression is never run to see whether it
// works; it is checked on what jsonpath-plus would evaluate: the path split into segments by
// jsonpath-plus itself, every script rewritten as jsonpath-plus rewrites it and parsed into its
// syntax tree by jsonpath-plus's own parser (nothing is evaluated), and the tree walked against an
// allow-list. The limits below are static, so an accepted expression costs at most a bounded amount
// of work per value of the (size-limited) document: no timer or worker thread on the hot path.
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';

export const JSONPATH_LIMITS = {
  /** Characters in the whole path. */
  length: 1000,
  /**
   * Segments (`$`, `.name`, `[*]`, `[?(...)]`...). jsonpath-plus copies the path walked so far at
   * every step and keeps one copy with every match, so its memory is matches × segments.
   */
  segments: 32,
  /**
   * Syntax-tree nodes over all the path's scripts. A filter runs once per value it tests, about
   * 70 ns per node each time (measured: 66 comparisons over the 500,000 numbers a 1 MiB array
   * holds took 4.6 s; 64 nodes stay near 1 s at that worst).
   */
  nodes: 64,
  /** Nesting of a script's syntax tree (and of its brackets, checked before parsing). */
  depth: 20,
} as const;

/** An expression outside the allow-list or the limits; the message says what was refused. */
export class JsonPathRefused extends Error {}

const refuse = (message: string): never => {
  throw new JsonPathRefused(message);
};

// jsonpath-plus 11.3's own patterns (src/jsonpath.js), so the check sees the segments and the code
// it would run. test/jsonpath.test.ts holds the rewriting against the installed version.
const SLICE = /^(-?\d*):(-?\d*):?(-?\d*)$/v;
const FILTER_BODY = /^\?\((.*?)\)$/v;
const NESTED_FILTER = /@.?([^?]*)[\['](\??\(.*?\))(?!.\)\])[\]']/v;
const SCRIPT_REWRITE = /('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|(?<=(?:^|[\(,=:\[!\|?\{\};+\-*%<>~^]|&)\s*)\/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^\/\\\[])+\/[dgimsuvy]*)|@(?:(parentProperty|parent|property|root|path)|(?![\w$]))/gv;

/** jsonpath-plus's rewriting of `@`, `@root`, ... into the names its evaluator binds. */
export const rewriteScript = (code: string): string =>
  code.replaceAll(SCRIPT_REWRITE, (_m, literal: string | undefined, name: string | undefined) => literal ?? `_$_${name ?? 'v'}`);

const SCRIPT_NAMES: Record<string, string> = {
  _$_v: '@', _$_root: '@root', _$_parent: '@parent', _$_parentProperty: '@parentProperty', _$_property: '@property', _$_path: '@path',
};
/** Values every value tested shares: converting one to text repeats its whole cost each time. */
const SHARED = new Set(['_$_root', '_$_parent']);
const STRICT = new Set(['===', '!==']);
// `==` and the order comparisons convert an array to text (all of it) when the other side is not an object.
const CONVERTING = new Set(['==', '!=', '<', '<=', '>', '>=']);
const LOGICAL = new Set(['&&', '||']);
// Members that lead from any value to constructors and their prototypes.
const BLOCKED_MEMBERS = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
// jsonpath-plus's value-type selectors (`$.a.@string()`), minus `other`, which calls back into the caller.
const TYPE_SELECTOR = /^@(?:scalar|boolean|string|undefined|function|integer|number|nonFinite|object|array|null|symbol|BigInt|Promise|jsonReference)\(\)$/;
const QUOTED_MEMBER = /'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"/gv;

interface ScriptNode {
  type: string;
  [key: string]: unknown;
}

interface Budget {
  nodes: number;
  wideSteps: number;
}

type ScriptParser = new (code: string) => { ast: unknown };
const Script = (JSONPath.prototype as unknown as { safeVm: { Script: ScriptParser } }).safeVm.Script;

const excerpt = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** The `@` names whose values a (comparison) operand may turn out to be. */
function operandRoots(node: ScriptNode): string[] {
  switch (node.type) {
    case 'Identifier':
      return [node.name as string];
    case 'MemberExpression':
      return operandRoots(node.object as ScriptNode);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return LOGICAL.has(node.operator as string) ? [...operandRoots(node.left as ScriptNode), ...operandRoots(node.right as ScriptNode)] : [];
    default:
      return [];
  }
}

/** Syntax refused outright, and why. */
const REFUSED_SYNTAX: Record<string, string> = {
  CallExpression: 'function calls are not allowed',
  AssignmentExpression: 'assignment is not allowed',
  UpdateExpression: 'assignment is not allowed',
  ThisExpression: '`this` is not allowed',
  ArrayExpression: 'array literals are not allowed',
  ConditionalExpression: 'the ?: operator is not allowed',
};

function checkNode(node: ScriptNode, depth: number, b: Budget): void {
  if (++b.nodes > JSONPATH_LIMITS.nodes) refuse(`scripts may hold at most ${JSONPATH_LIMITS.nodes} syntax nodes in all`);
  if (depth > JSONPATH_LIMITS.depth) refuse(`scripts may nest at most ${JSONPATH_LIMITS.depth} deep`);
  const child = (n: unknown) => checkNode(n as ScriptNode, depth + 1, b);
  switch (node.type) {
    case 'Literal':
      return checkLiteral(node);
    case 'Identifier': {
      const name = node.name as string;
      if (Object.hasOwn(SCRIPT_NAMES, name)) return;
      if (name === 'new') refuse('`new` is not allowed');
      return refuse(`"${excerpt(name)}" is not allowed: scripts may use @, @root, @parent, @property, @parentProperty and @path, with literals`);
    }
    case 'MemberExpression':
      child(node.object);
      return checkMember(node);
    case 'UnaryExpression': {
      const argument = node.argument as ScriptNode;
      if (node.operator === '!' || (node.operator === '-' && argument.type === 'Literal' && typeof argument.value === 'number')) return child(argument);
      return refuse(`the operator ${String(node.operator)} is not allowed: only comparisons, &&, || and !`);
    }
    case 'BinaryExpression':
    case 'LogicalExpression':
      checkOperator(node);
      child(node.left);
      return child(node.right);
    case 'Compound': {
      const body = node.body as ScriptNode[];
      if (body.some((n) => n.type === 'Identifier' && n.name === 'new')) refuse('`new` is not allowed');
      return refuse('a script must be one expression (no `,`, `;` or words such as `in` between expressions)');
    }
    default:
      return refuse(Object.hasOwn(REFUSED_SYNTAX, node.type) ? REFUSED_SYNTAX[node.type]! : `${node.type} is not allowed`);
  }
}

function checkLiteral(node: ScriptNode): void {
  const v = node.value;
  if (v instanceof RegExp || node.regex !== undefined) refuse(`regular expressions are not allowed (${excerpt(String(node.raw))})`);
  if (v !== null && v !== undefined && !['string', 'number', 'boolean'].includes(typeof v)) refuse(`the literal ${excerpt(String(node.raw))} is not allowed`);
}

function checkMember(node: ScriptNode): void {
  const property = node.property as ScriptNode;
  let key: unknown;
  if (!node.computed) key = property.name;
  else if (property.type === 'Literal' && (typeof property.value === 'string' || typeof property.value === 'number')) key = property.value;
  else refuse('a member in brackets must be a string or number literal (`@[\'name\']`, `@[0]`)');
  if (BLOCKED_MEMBERS.has(String(key))) refuse(`\`.${String(key)}\` is not allowed`);
}

function checkOperator(node: ScriptNode): void {
  const op = node.operator as string;
  if (!STRICT.has(op) && !CONVERTING.has(op) && !LOGICAL.has(op)) {
    refuse(`the operator ${op} is not allowed: only comparisons (== != === !== < <= > >=), &&, || and !`);
  }
  if (CONVERTING.has(op) && [node.left, node.right].some((n) => operandRoots(n as ScriptNode).some((r) => SHARED.has(r)))) {
    refuse(`@root and @parent may be compared with === or !== only (${op} would convert an array to text again for every value tested)`);
  }
}

const withoutStrings = (code: string) => code.replaceAll(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, '""');

/** Bracket nesting outside string literals: bounds the parser's recursion before it runs. */
function bracketDepth(code: string): number {
  let depth = 0;
  let max = 0;
  for (const m of withoutStrings(code).matchAll(/[()[\]{}]/g)) {
    depth += '([{'.includes(m[0]) ? 1 : -1;
    max = Math.max(max, depth);
  }
  return max;
}

function checkScript(code: string, b: Budget): void {
  // jsonpath-plus reads `[(`, `[?(`, `'(` and `'?(` inside a filter as a nested filter of its own and
  // evaluates that, string literal or not (and its pattern for them backtracks heavily).
  if (/[[']\??\(/.test(code) || NESTED_FILTER.test(code)) {
    refuse('nested filters are not allowed (jsonpath-plus reads "[(" and "\'(" inside a filter as one, even in a string: write "(..." in double quotes)');
  }
  const script = rewriteScript(code);
  if (withoutStrings(script).includes('`')) refuse('template literals are not allowed');
  if (bracketDepth(script) > JSONPATH_LIMITS.depth) refuse(`scripts may nest at most ${JSONPATH_LIMITS.depth} deep`);
  let ast: unknown;
  try {
    ast = new Script(script).ast;
  } catch (err) {
    refuse(`the script "${excerpt(code)}" does not parse: ${(err as Error).message}`);
  }
  if (!ast) refuse('a script may not be empty');
  checkNode(ast as ScriptNode, 1, b);
}

const isPlainMember = (part: string) => !['', '*', '..', '$', '~', '^'].includes(part) && !SLICE.test(part) && !/^[?(@`'"]/.test(part);

/** One segment as jsonpath-plus's _trace dispatches it, in its order. */
function checkSegment(loc: string, b: Budget): void {
  if (loc === '*' || SLICE.test(loc)) {
    b.wideSteps++;
    return;
  }
  if (['', '$', '~'].includes(loc)) return;
  // Its cost grows with the document's depth, not the expression: every value below is reached with
  // a copy of its path (measured: `$..*` over 1 MiB nested 2,000 deep exhausts a 4 GB heap).
  if (loc === '..') refuse('recursive descent `..` is not allowed: name the path to the values');
  // `^` steps back up, so `*^*^...` visits the same children again and again: exponential.
  if (loc === '^') refuse('the parent selector `^` is not allowed');
  if (loc.startsWith('?(')) {
    b.wideSteps++;
    return checkScript(loc.replace(FILTER_BODY, '$1'), b);
  }
  // A script's value becomes a segment that jsonpath-plus dispatches again, filters and scripts included.
  if (loc.startsWith('(')) refuse(`script segments "[(...)]" are not allowed; use a filter "[?(...)]" (${excerpt(loc)})`);
  if (loc.startsWith('@')) {
    if (!TYPE_SELECTOR.test(loc)) refuse(`"${excerpt(loc)}" is not an allowed value-type selector`);
    return;
  }
  // A backquoted name that the value does not hold falls through to the union below.
  if (loc.startsWith('`') && !loc.includes(',')) return;
  // Unions: each member is traced on its own, so a repeated or overlapping member multiplies the
  // matches at every union in the path (`['a','a']` ten times over is 1,024 traces).
  if (loc.startsWith("'") || loc.startsWith('"')) {
    const members = [...loc.matchAll(QUOTED_MEMBER)].map((m) => (m[1] ?? m[2])!.replaceAll(/\\(['"\\])/gv, '$1'));
    if (new Set(members).size !== members.length) refuse(`a union may not name a member twice (${excerpt(loc)})`);
    return;
  }
  if (loc.includes(',')) {
    const parts = loc.split(',');
    for (const part of parts) {
      if (!isPlainMember(part)) refuse(`a union may hold plain names and indexes only, not "${excerpt(part)}"`);
    }
    if (new Set(parts).size !== parts.length) refuse(`a union may not name a member twice (${excerpt(loc)})`);
  }
}

export interface JsonPathCost {
  /** `*`, filters and slices: each may visit every value of the document once. */
  wideSteps: number;
}

/** Throws JsonPathRefused naming what is not allowed; returns the static cost. Evaluates nothing. */
export function checkJsonPath(path: string): JsonPathCost {
  if (path.length > JSONPATH_LIMITS.length) refuse(`may be at most ${JSONPATH_LIMITS.length} characters`);
  if (!path.startsWith('$')) refuse('must start with $');
  // jsonpath-plus's patterns stop at line breaks, leaving half-read segments behind.
  if (/\p{Cc}/v.test(path)) refuse('may not contain control characters or line breaks');
  const segments = JSONPath.toPathArray(path);
  if (segments.length > JSONPATH_LIMITS.segments) refuse(`may have at most ${JSONPATH_LIMITS.segments} segments`);
  const budget: Budget = { nodes: 0, wideSteps: 0 };
  for (const loc of segments) checkSegment(loc, budget);
  return { wideSteps: budget.wideSteps };
}

/** A checked path, ready to run against documents. */
export interface CompiledJsonPath {
  readonly path: string;
  /** Every match, in document order (jsonpath-plus, safe evaluator; a script that throws is false). */
  query(json: unknown): unknown[];
  /**
   * Whether a document passes the path used as a filter: one that starts with a filter on the root
   * (`$[?(...)]`) tests the document itself; any other passes when it matches anything.
   */
  matches(json: unknown): boolean;
}

// Checked paths, and refusals, by text. jsonpath-plus keeps its own parse caches without a bound,
// so both are emptied together when this one is full.
const compiled = new Map<string, CompiledJsonPath | JsonPathRefused>();
const COMPILED_MAX = 10_000;

/** Checks `path` (once per text) and returns it ready to run; throws JsonPathRefused. */
export function compileJsonPath(path: string): CompiledJsonPath {
  let hit = compiled.get(path);
  if (!hit) {
    if (compiled.size >= COMPILED_MAX) {
      compiled.clear();
      JSONPath.clearCache();
    }
    try {
      checkJsonPath(path);
      // jsonpath-plus answers undefined, even with wrap, for a falsy document (null, 0, "").
      const query = (json: unknown) => (JSONPath({ path, json: json as object, eval: 'safe', wrap: true, ignoreEvalErrors: true }) as unknown[] | undefined) ?? [];
      const onRoot = path.startsWith('$[?');
      hit = { path, query, matches: (json) => query(onRoot ? [json] : json).length > 0 };
    } catch (err) {
      if (!(err instanceof JsonPathRefused)) throw err;
      hit = err;
    }
    compiled.set(path, hit);
  }
  if (hit instanceof JsonPathRefused) throw hit;
  return hit;
}

/** A JSONPath field of a saved object: refused with the reason, naming the field (zod path). */
export const jsonPathSchema = z.string().min(1).max(JSONPATH_LIMITS.length).superRefine((path, ctx) => {
  try {
    checkJsonPath(path);
  } catch (err) {
    if (!(err instanceof JsonPathRefused)) throw err;
    ctx.addIssue({ code: 'custom', message: `invalid JSONPath: ${err.message}` });
  }
});
