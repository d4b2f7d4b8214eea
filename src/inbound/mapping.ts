// Payload → agent inputs with JSONPath (SPEC §5). Paths are checked against the allow-list of
// platform/jsonpath.ts when a trigger is saved, and again (once per text) before they first run
// here, so one saved under older rules is refused by name instead of evaluated.
import { z } from 'zod';
import { type CompiledJsonPath, JsonPathRefused, compileJsonPath } from '../platform/jsonpath.ts';
import { unstorableJson } from '../platform/storable-string.ts';

export const INPUT_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'OBJECT', 'ARRAY'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/**
 * Names every JavaScript object already answers to (`__proto__`, `constructor`, `toString`...) and
 * `prototype`. Mapped inputs are built as an object: `inputs["__proto__"] = value` would replace its
 * prototype instead of adding an input, and the agent's own code reads the others as methods.
 */
export const reservedInputName = (name: string) => name in Object.prototype || name === 'prototype';

export const inputMappingSchema = z.object({
  name: z.string().min(1).max(100).regex(/^[A-Za-z_][\w-]*$/, 'must start with a letter or _ and hold letters, digits, _ or -')
    .superRefine((n, ctx) => {
      if (reservedInputName(n)) ctx.addIssue({ code: 'custom', message: `"${n}" is reserved: every JavaScript object has a property of that name` });
    }),
  path: z.string().min(1).max(1000),
  type: z.enum(INPUT_TYPES).default('STRING'),
  required: z.boolean().default(true),
  defaultValue: z.unknown().optional(),
});
export type InputMapping = z.infer<typeof inputMappingSchema>;

/**
 * Whether the trigger fires. A filter on the root (`$[?(...)]`) tests the payload itself, as its
 * users expect from the YAML sample; any other filter fires when it matches anything.
 * Throws MappingError when the filter is not allowed (saved under older rules).
 */
export function filterMatches(filter: string, payload: unknown): boolean {
  return compiled(undefined, filter).matches(payload);
}

const typeOf = (v: unknown): InputType | 'NULL' =>
  v === null ? 'NULL' : Array.isArray(v) ? 'ARRAY' : typeof v === 'string' ? 'STRING' : typeof v === 'number' ? 'NUMBER' : typeof v === 'boolean' ? 'BOOLEAN' : 'OBJECT';

/** A payload the mapping cannot take, naming the input (or the filter, when `input` is undefined). */
export class MappingError extends Error {
  readonly input: string | undefined;
  constructor(input: string | undefined, message: string) {
    super(input === undefined ? `filter: ${message}` : `input "${input}": ${message}`);
    this.input = input;
  }
}

function compiled(input: string | undefined, path: string): CompiledJsonPath {
  try {
    return compileJsonPath(path);
  } catch (err) {
    if (err instanceof JsonPathRefused) throw new MappingError(input, `${path} is not allowed: ${err.message}; save the trigger with an allowed expression`);
    throw err;
  }
}

/**
 * Maps a payload (any JSON value: an object, an array, a string...) to inputs; throws MappingError
 * naming the first input that does not fit. Inputs are stored (the session, its session.created
 * event, the inbound delivery), so a value PostgreSQL cannot hold is refused here by name rather
 * than failing the commit it would be written in.
 */
export function mapInputs(mappings: InputMapping[], payload: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of mappings) {
    if (reservedInputName(m.name)) throw new MappingError(m.name, 'the name is reserved; rename the input');
    const value = mapOne(m, compiled(m.name, m.path).query(payload));
    if (value === undefined) continue;
    const unstorable = unstorableJson(value);
    if (unstorable) throw new MappingError(m.name, `the value at ${m.path} ${unstorable}`);
    out[m.name] = value;
  }
  return out;
}

/** The input's value from its path's matches, or undefined for an optional input left out. */
function mapOne(m: InputMapping, matches: unknown[]): unknown {
  if (m.type === 'ARRAY') {
    if (matches.length === 0 && m.required && m.defaultValue === undefined) throw new MappingError(m.name, `${m.path} matched nothing`);
    return matches.length === 0 && m.defaultValue !== undefined ? m.defaultValue : matches;
  }
  if (matches.length === 0) {
    if (m.defaultValue === undefined && m.required) throw new MappingError(m.name, `${m.path} matched nothing`);
    return m.defaultValue;
  }
  if (matches.length > 1) throw new MappingError(m.name, `${m.path} matched ${matches.length} values; type ${m.type} takes exactly one (use ARRAY for all)`);
  const value = matches[0];
  if (typeOf(value) !== m.type) throw new MappingError(m.name, `expected ${m.type}, got ${typeOf(value)} at ${m.path}`);
  return value;
}
