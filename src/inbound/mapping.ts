// Payload → agent inputs with JSONPath (SPEC §5). jsonpath-plus runs with its "safe" evaluator only
// (never native eval or vm). Expressions are also checked when a trigger is saved: scripts may only
// use the current value (@), its relatives and literals, so an expression that reaches for process,
// require, globalThis or a constructor is refused before it can ever run.
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';

export const INPUT_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'OBJECT', 'ARRAY'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export const inputMappingSchema = z.object({
  name: z.string().min(1).max(100).regex(/^[A-Za-z_][\w-]*$/, 'must start with a letter or _ and hold letters, digits, _ or -'),
  path: z.string().min(1).max(1000),
  type: z.enum(INPUT_TYPES).default('STRING'),
  required: z.boolean().default(true),
  defaultValue: z.unknown().optional(),
});
export type InputMapping = z.infer<typeof inputMappingSchema>;

const SCRIPT_GLOBALS = new Set(['_$_v', '_$_root', '_$_parent', '_$_parentProperty', '_$_property', '_$_path', 'true', 'false', 'null', 'undefined']);
const FORBIDDEN_WORDS = /\b(constructor|__proto__|prototype|__defineGetter__|__defineSetter__|__lookupGetter__)\b/;

// jsonpath-plus's own rewriting of @-forms, so the check sees what would run.
const rewrite = (code: string) =>
  code.replaceAll(
    /('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")|@(?:(parentProperty|parent|property|root|path)|(?![\w$]))/g,
    (_m, literal: string | undefined, name: string | undefined) => literal ?? `_$_${name ?? 'v'}`,
  );

/** Throws an Error naming the problem when `path` is not an acceptable JSONPath. */
export function assertSafeJsonPath(path: string): void {
  if (!path.startsWith('$')) throw new Error('must start with $');
  const segments = JSONPath.toPathArray(path);
  for (const segment of segments) {
    const match = /^\??\((.*)\)$/s.exec(segment);
    if (!match) continue;
    const script = rewrite(match[1]!);
    const code = script.replaceAll(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, '""');
    if (FORBIDDEN_WORDS.test(script)) throw new Error(`script "${match[1]}" may not touch constructors or prototypes`);
    // Every bare identifier (not a member after ".") must be one of the current-value names.
    for (const m of code.matchAll(/(^|[^.\w$])([A-Za-z_$][\w$]*)/g)) {
      if (!SCRIPT_GLOBALS.has(m[2]!)) throw new Error(`script "${match[1]}" may only use @ and literals, not "${m[2]}"`);
    }
    try {
      new (JSONPath.prototype as unknown as { safeVm: { Script: new (s: string) => unknown } }).safeVm.Script(script);
    } catch (err) {
      throw new Error(`script "${match[1]}" does not compile: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    JSONPath({ path, json: [{}], eval: 'safe', wrap: true, ignoreEvalErrors: true });
  } catch (err) {
    throw new Error(`does not compile: ${(err as Error).message}`, { cause: err });
  }
}

function query(path: string, json: unknown): unknown[] {
  return JSONPath({ path, json: json as object, eval: 'safe', wrap: true, ignoreEvalErrors: true }) as unknown[];
}

/**
 * Whether the trigger fires. A filter on the root (`$[?(...)]`) tests the payload itself, as its
 * users expect from the YAML sample; any other filter fires when it matches anything.
 */
export function filterMatches(filter: string, payload: unknown): boolean {
  return query(filter, filter.startsWith('$[?') ? [payload] : payload).length > 0;
}

const typeOf = (v: unknown): InputType | 'NULL' =>
  v === null ? 'NULL' : Array.isArray(v) ? 'ARRAY' : typeof v === 'string' ? 'STRING' : typeof v === 'number' ? 'NUMBER' : typeof v === 'boolean' ? 'BOOLEAN' : 'OBJECT';

export class MappingError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`input "${input}": ${message}`);
    this.input = input;
  }
}

/** Maps a payload to inputs; throws MappingError naming the first input that does not fit. */
export function mapInputs(mappings: InputMapping[], payload: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of mappings) {
    const matches = query(m.path, payload);
    if (m.type === 'ARRAY') {
      if (matches.length === 0 && m.required && m.defaultValue === undefined) throw new MappingError(m.name, `${m.path} matched nothing`);
      out[m.name] = matches.length === 0 && m.defaultValue !== undefined ? m.defaultValue : matches;
      continue;
    }
    if (matches.length === 0) {
      if (m.defaultValue !== undefined) out[m.name] = m.defaultValue;
      else if (m.required) throw new MappingError(m.name, `${m.path} matched nothing`);
      continue;
    }
    if (matches.length > 1) throw new MappingError(m.name, `${m.path} matched ${matches.length} values; type ${m.type} takes exactly one (use ARRAY for all)`);
    const value = matches[0];
    if (typeOf(value) !== m.type) throw new MappingError(m.name, `expected ${m.type}, got ${typeOf(value)} at ${m.path}`);
    out[m.name] = value;
  }
  return out;
}
