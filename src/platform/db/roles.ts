// The owner and service roles (SPEC §9). The owner owns the application's tables and runs
// migrations, retention and the CLI's maintenance; the service role (API and workers) may append to
// webhook_audit and read it, move the chain heads, and nothing more there; it owns the pgboss
// schema, where pg-boss makes queue partitions at run time.
import type pg from 'pg';
import { HOT_TABLES } from '../jobs/table-statistics.ts';

export interface RoleNames {
  owner: string;
  service: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// Passwords spliced into SQL (CREATE ROLE takes no parameters) must be the gateway's own.
const PASSWORD = /^[A-Za-z0-9_-]{16,256}$/;

const ident = (name: string) => {
  if (!ROLE_NAME.test(name)) throw new Error(`not a role name the gateway makes: ${name}`);
  return `"${name}"`;
};

const OBJECTS_OWNED_ELSEWHERE = `
SELECT 'TABLE' AS kind, format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner <> $2::regrole
UNION ALL
SELECT 'SEQUENCE', format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind = 'S' AND c.relowner <> $2::regrole
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
UNION ALL
SELECT 'TYPE', format('%I.%I', n.nspname, t.typname) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'c') AND t.typowner <> $2::regrole
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.proowner <> $2::regrole AND p.prokind IN ('f', 'p')`;

/** Gives every object of `schema` to `role` (tables take their own sequences along). */
async function reown(client: pg.ClientBase, schema: string, role: string): Promise<void> {
  const { rows } = await client.query<{ kind: string; name: string }>(OBJECTS_OWNED_ELSEWHERE, [schema, role]);
  for (const r of rows) await client.query(`ALTER ${r.kind} ${r.name} OWNER TO ${ident(role)}`);
}

/**
 * As a superuser, on the application's database: makes both roles (or sets their passwords again),
 * and gives the owner every object of the application's schema and the service role the pgboss
 * schema. Idempotent: it is how an existing embedded data folder is upgraded in place, at every start.
 */
export async function provisionRoles(superuser: pg.ClientBase, roles: RoleNames, passwords: RoleNames): Promise<void> {
  for (const [role, password] of [[roles.owner, passwords.owner], [roles.service, passwords.service]] as const) {
    if (!PASSWORD.test(password)) throw new Error(`the password of ${role} was not written by the gateway`);
    const { rowCount } = await superuser.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    await superuser.query(`${rowCount ? 'ALTER' : 'CREATE'} ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '${password}'`);
  }
  const { rows: [where] } = await superuser.query<{ schema: string; database: string }>('SELECT current_schema() AS schema, current_database() AS database');
  const { schema, database } = where!;
  await superuser.query(`GRANT CONNECT ON DATABASE "${database.replaceAll('"', '""')}" TO ${ident(roles.owner)}, ${ident(roles.service)}`);
  await superuser.query(`GRANT USAGE, CREATE ON SCHEMA "${schema}" TO ${ident(roles.owner)}`);
  await reown(superuser, schema, roles.owner);
  await superuser.query(`CREATE SCHEMA IF NOT EXISTS pgboss AUTHORIZATION ${ident(roles.service)}`);
  await superuser.query(`ALTER SCHEMA pgboss OWNER TO ${ident(roles.service)}`);
  await reown(superuser, 'pgboss', roles.service);
}

/**
 * As the owner, after migrations: the service role's rights, set again at every start so a table a
 * migration changed gets them too. Tables later migrations make get them by default privileges.
 */
export async function grantServiceRights(owner: pg.ClientBase | pg.Pool, service: string): Promise<void> {
  const s = ident(service);
  const { rows: [where] } = await owner.query<{ schema: string }>('SELECT current_schema() AS schema');
  const schema = where!.schema;
  await owner.query(`
    GRANT USAGE ON SCHEMA "${schema}" TO ${s};
    ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${s};
    ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" GRANT USAGE, SELECT ON SEQUENCES TO ${s};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${s};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${s};
    REVOKE ALL ON "_prisma_migrations" FROM ${s};
    GRANT SELECT ON "_prisma_migrations" TO ${s};
    REVOKE ALL ON "webhook_audit" FROM ${s};
    GRANT SELECT, INSERT ON "webhook_audit" TO ${s};
    REVOKE ALL ON "audit_chain" FROM ${s};
    GRANT SELECT, INSERT ON "audit_chain" TO ${s};
    GRANT UPDATE ("last_seq", "last_hash") ON "audit_chain" TO ${s};
    REVOKE ALL ON "audit_checkpoint" FROM ${s};
    GRANT EXECUTE ON FUNCTION "audit_checkpoints"(TEXT) TO ${s};`);
  // ANALYZE of the hot tables after a burst (jobs/table-statistics.ts), from every role's process.
  // MAINTAIN (PostgreSQL 17+) is on those tables only, never the audit's.
  const { rows: [version] } = await owner.query<{ n: number }>("SELECT current_setting('server_version_num')::int AS n");
  if (version!.n >= 170000) await owner.query(`GRANT MAINTAIN ON ${HOT_TABLES.map((t) => `"${schema}"."${t}"`).join(', ')} TO ${s}`);
}

/**
 * What would let the connected (service) role remove or rewrite audit rows. `repairable`: rights the
 * owner takes back when it sets the service role's rights; the rest (ownership, superuser) it cannot.
 */
export async function serviceRoleProblems(service: pg.Pool, options: { repairable: boolean } = { repairable: true }): Promise<string[]> {
  const { rows: [r] } = await service.query<{
    role: string; superuser: boolean; owned: string[] | null; audit: string[]; member_of_owner: boolean; checkpoints: boolean; chain_columns: boolean;
  }>(`
    SELECT current_user AS role, r.rolsuper AS superuser,
      (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')) AS owned,
      ARRAY(SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
        WHERE to_regclass('webhook_audit') IS NOT NULL AND has_table_privilege(current_user, 'webhook_audit', p)) AS audit,
      coalesce(pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = to_regclass('webhook_audit')), 'USAGE'), false) AS member_of_owner,
      to_regclass('audit_checkpoint') IS NOT NULL AND has_table_privilege(current_user, 'audit_checkpoint', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE') AS checkpoints,
      to_regclass('audit_chain') IS NOT NULL AND (has_column_privilege(current_user, 'audit_chain', 'workspace_id', 'UPDATE')
        OR has_table_privilege(current_user, 'audit_chain', 'DELETE, TRUNCATE')) AS chain_columns
    FROM pg_roles r WHERE r.rolname = current_user`);
  if (!r) return ['the connected role is not in pg_roles'];
  const problems: string[] = [];
  if (r.superuser) problems.push(`${r.role} is a superuser, which no right binds`);
  if (r.owned?.length) problems.push(`${r.role} owns ${r.owned.join(', ')}`);
  if (r.member_of_owner && !r.superuser) problems.push(`${r.role} has the rights of the role that owns webhook_audit`);
  if (!options.repairable) return problems;
  if (r.audit.length > 0) problems.push(`${r.role} holds ${r.audit.join(', ')} on webhook_audit (only INSERT and SELECT are allowed)`);
  if (r.checkpoints) problems.push(`${r.role} holds rights on audit_checkpoint (it must hold none)`);
  if (r.chain_columns) problems.push(`${r.role} may update audit_chain beyond its last_seq and last_hash, or delete heads`);
  return problems;
}

/** Whether the connected role owns webhook_audit (or nothing is migrated yet): one role does everything. */
export async function ownsAuditTable(pool: pg.Pool): Promise<boolean> {
  const { rows: [r] } = await pool.query<{ owns: boolean | null }>(
    `SELECT pg_has_role(current_user, relowner, 'USAGE') AS owns FROM pg_class WHERE oid = to_regclass('webhook_audit')`);
  return r?.owns ?? true;
}

/** The role a connection string logs in as. */
export const roleOf = (url: string) => decodeURIComponent(new URL(url).username);
