import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime: not a date');
    return date.toISOString();
  },
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime: expected an ISO-8601 string');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime: "${String(value)}" is not an ISO-8601 date-time`);
  return date;
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: function literal(ast): unknown {
    switch (ast.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return ast.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(ast.value);
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return ast.values.map((v) => literal(v));
      case Kind.OBJECT:
        return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
      default:
        throw new GraphQLError('JSON: variables are not allowed inside a JSON literal; pass the whole value as a variable');
    }
  },
});

// SPEC §12: 64-bit integers travel as decimal strings; a JS number beyond 2^53 would lose digits.
const BIGINT_MAX = 9_223_372_036_854_775_807n;

export const BigIntScalar = new GraphQLScalarType<bigint, string>({
  name: 'BigInt',
  serialize: (value) => {
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return String(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    throw new GraphQLError('BigInt: not an integer');
  },
  parseValue: (value) => parseBigInt(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT) throw new GraphQLError('BigInt: expected a string of decimal digits');
    return parseBigInt(ast.value);
  },
});

function parseBigInt(value: unknown): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d{1,19}$/.test(text)) throw new GraphQLError(`BigInt: "${String(value)}" is not a string of decimal digits`);
  const n = BigInt(text);
  if (n > BIGINT_MAX || n < -BIGINT_MAX - 1n) throw new GraphQLError('BigInt: outside the 64-bit range');
  return n;
}
