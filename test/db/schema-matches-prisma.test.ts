// Proves the SQL migrations build exactly the database prisma/schema.prisma describes: every model,
// field, type, nullability, default, unique, index, enum and foreign key, and nothing more. Prisma's
// own `migrate diff` needs a schema engine binary this environment cannot download; the schema's
// DMMF comes from Prisma's Wasm build instead.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/platform/db/migrator.ts';
import { createPool } from '../../src/platform/db/pool.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';

const require = createRequire(import.meta.url);
const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: Array<{ name: string }>;
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: Array<{ name: string; values: Array<{ name: string }> }>; indexes: DmmfIndex[] };
}

const dmmf = JSON.parse(
  wasm.get_dmmf(JSON.stringify({ prismaSchema: readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8'), noColor: true })),
) as Dmmf;

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (f: DmmfField) => f.dbName ?? f.name;

function expectedType(f: DmmfField): string {
  if (f.kind === 'enum') return f.isList ? `_${f.type}` : f.type;
  const native = f.nativeType?.[0];
  const base: Record<string, string> = {
    String: 'text', Int: native === 'SmallInt' ? 'int2' : 'int4', BigInt: 'int8', Boolean: 'bool', DateTime: native === 'Timestamptz' ? 'timestamptz' : 'timestamp',
    Json: 'jsonb', Float: 'float8', Decimal: 'numeric', Bytes: 'bytea',
  };
  const t = base[f.type];
  assert.ok(t, `no mapping for Prisma type ${f.type}`);
  return f.isList ? `_${t}` : t;
}

function expectedDefault(f: DmmfField, table: string): string | null {
  if (!f.hasDefaultValue) return null;
  const d = f.default as { name?: string; args?: unknown[] } | string | number | boolean | unknown[];
  if (typeof d === 'object' && d !== null && !Array.isArray(d) && 'name' in d) {
    if (d.name === 'now') return 'CURRENT_TIMESTAMP';
    if (d.name === 'autoincrement') return `nextval('${table}_${columnOf(f)}_seq'::regclass)`;
    throw new Error(`unhandled default function ${d.name}`);
  }
  if (Array.isArray(d)) {
    assert.equal(d.length, 0, 'only empty list defaults are used');
    return `ARRAY[]::${expectedType(f).slice(1)}[]`;
  }
  if (f.kind === 'enum') return `'${String(d)}'::"${f.type}"`;
  if (f.type === 'Json') return `'${String(d)}'::jsonb`;
  if (f.type === 'String') return `'${String(d)}'::text`;
  return String(d);
}

describe('migrations match prisma/schema.prisma', () => {
  let url: string;
  let client: pg.Client;
  before(async () => {
    url = await createTestDatabase({ empty: true });
    const pool = createPool(url, 2);
    await migrate(pool);
    await pool.end();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await dropTestDatabase(url);
  });

  it('has exactly the tables of the models (plus _prisma_migrations)', async () => {
    const { rows } = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    assert.deepEqual(rows.map((r) => r.tablename).sort(), [...dmmf.datamodel.models.map(tableOf), '_prisma_migrations'].sort());
  });

  it('has exactly the enums, with their values in order', async () => {
    const { rows } = await client.query<{ name: string; values: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`);
    const actual = Object.fromEntries(rows.map((r) => [r.name, r.values]));
    const expected = Object.fromEntries(dmmf.datamodel.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
    assert.deepEqual(actual, expected);
  });

  for (const model of dmmf.datamodel.models) {
    const table = tableOf(model);
    it(`${model.name}: every field has its column, type, nullability and default`, async () => {
      const { rows } = await client.query<{ column_name: string; udt_name: string; is_nullable: string; column_default: string | null; datetime_precision: number | null }>(
        `SELECT column_name, udt_name, is_nullable, column_default, datetime_precision
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      const columns = new Map(rows.map((r) => [r.column_name, r]));
      const scalars = model.fields.filter((f) => f.kind !== 'object');
      assert.deepEqual([...columns.keys()].sort(), scalars.map(columnOf).sort(), `${table}: columns`);
      for (const f of scalars) {
        const col = columns.get(columnOf(f))!;
        const where = `${table}.${columnOf(f)}`;
        assert.equal(col.udt_name, expectedType(f), `${where}: type`);
        if (f.nativeType?.[1]?.[0] !== undefined && f.type === 'DateTime') {
          assert.equal(col.datetime_precision, Number(f.nativeType[1][0]), `${where}: precision`);
        }
        assert.equal(col.is_nullable, f.isRequired && !f.isList ? 'NO' : 'YES', `${where}: nullability`);
        assert.equal(col.column_default, expectedDefault(f, table), `${where}: default`);
      }
    });

    it(`${model.name}: exactly the primary key, uniques and indexes of the schema, with Prisma's names`, async () => {
      const { rows } = await client.query<{ name: string; is_unique: boolean; is_primary: boolean; columns: string[] }>(
        `SELECT i.relname::text AS name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
                array_agg(a.attname::text ORDER BY k.ord) AS columns
         FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE n.nspname = 'public' AND t.relname = $1
         GROUP BY i.relname, ix.indisunique, ix.indisprimary`,
        [table],
      );
      const column = (name: string) => columnOf(model.fields.find((f) => f.name === name)!);
      const expected = dmmf.datamodel.indexes
        .filter((ix) => ix.model === model.name)
        .map((ix) => {
          const columns = ix.fields.map((f) => column(f.name));
          const suffix = ix.type === 'id' ? 'pkey' : ix.type === 'unique' ? 'key' : 'idx';
          const name = ix.dbName ?? (ix.type === 'id' ? `${table}_pkey` : `${table}_${columns.join('_')}_${suffix}`);
          return { name, is_unique: ix.type !== 'normal', is_primary: ix.type === 'id', columns };
        });
      const sort = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(sort(rows), sort(expected));
    });

    it(`${model.name}: every relation is a foreign key (or a set-based one) with its referential action`, async () => {
      const { rows } = await client.query<{ name: string; columns: string[]; ref_table: string; ref_columns: string[]; on_delete: string }>(
        `SELECT c.conname::text AS name,
                (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
                rt.relname::text AS ref_table,
                (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS ref_columns,
                c.confdeltype::text AS on_delete
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid
         WHERE c.contype = 'f' AND t.relname = $1
         UNION ALL
         -- A set-based key (migration 20261207100000_set_based_keys): the child's statement trigger
         -- carries the definition (column, parent, parent column, action); the parent's trigger of
         -- the same name cascades the deletes.
         SELECT tg.tgname::text, ARRAY[a[1]], a[2], ARRAY[a[3]], a[4]
         FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
           CROSS JOIN LATERAL (SELECT string_to_array(rtrim(encode(tg.tgargs, 'escape'), '\\000'), '\\000') AS a) args
         WHERE t.relname = $1 AND tg.tgname LIKE '%_fkey' AND tg.tgtype & 4 <> 0
           AND EXISTS (SELECT 1 FROM pg_trigger pt JOIN pg_class p ON p.oid = pt.tgrelid
                       WHERE pt.tgname = tg.tgname AND p.relname = a[2] AND pt.tgtype & 8 <> 0)`,
        [table],
      );
      const actions: Record<string, string> = { Cascade: 'c', SetNull: 'n', Restrict: 'r', NoAction: 'a', SetDefault: 'd' };
      const expected = model.fields
        .filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)
        .map((f) => {
          const target = dmmf.datamodel.models.find((m) => m.name === f.type)!;
          const columns = f.relationFromFields!.map((n) => columnOf(model.fields.find((x) => x.name === n)!));
          return {
            name: `${table}_${columns.join('_')}_fkey`,
            columns,
            ref_table: tableOf(target),
            ref_columns: f.relationToFields!.map((n) => columnOf(target.fields.find((x) => x.name === n)!)),
            on_delete: actions[f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')]!,
          };
        });
      const sort = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(sort(rows), sort(expected));
    });
  }
});
