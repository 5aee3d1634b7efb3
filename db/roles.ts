/**
 * Two database roles instead of the superuser (ADR 016): the owner role runs migrations and owns every schema and
 * table; the application role (web, worker, CLI) gets DML, with INSERT and SELECT only on the append-only tables.
 * Not owning anything, it cannot drop or disable the append-only triggers, truncate or run DDL.
 */
import postgres from 'postgres';
import { appendOnlyTables, definerWrittenTables } from './append-only';

export interface RoleCredentials {
  name: string;
  password: string;
}

/** Schemas our migrations and Graphile Worker's create; the owner role owns them. */
export const managedSchemas = ['public', 'drizzle', 'graphile_worker'] as const;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * As a superuser: creates (or updates) the owner and application login roles. Neither may create databases or
 * roles or bypass row security. Idempotent; used by embedded mode and the tests, a DBA does the same by hand.
 */
export async function ensureRoles(superuserUrl: string, roles: { owner: RoleCredentials; app: RoleCredentials }): Promise<void> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    for (const role of [roles.owner, roles.app]) {
      // CREATE ROLE has no IF NOT EXISTS; a concurrent starter may win the race, so duplicate_object is fine.
      const [row] = await sql<{ exists: boolean }[]>`select exists(select 1 from pg_roles where rolname = ${role.name})`;
      if (!row?.exists) {
        await sql.unsafe(`create role ${ident(role.name)} login`).catch((e: { code?: string }) => {
          if (e.code !== '42710') throw e;
        });
      }
      await sql.unsafe(
        `alter role ${ident(role.name)} with login nosuperuser nocreatedb nocreaterole nobypassrls noreplication password ${literal(role.password)}`,
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * As a superuser connected to the database: makes the owner role own the database and everything in our schemas
 * that the connecting superuser still owns — a data folder from before ADR 016 had every table owned by postgres.
 * Idempotent and cheap when there is nothing left to move.
 */
export async function adoptDatabase(superuserDbUrl: string, owner: string): Promise<void> {
  const sql = postgres(superuserDbUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ db } = { db: '' }] = await sql<{ db: string }[]>`select current_database() as db`;
    await sql.unsafe(`alter database ${ident(db)} owner to ${ident(owner)}`);
    await sql.unsafe(`
      do $$
      declare r record;
      begin
        for r in select nspname from pg_namespace
                 where nspname in ('drizzle', 'graphile_worker') and nspowner = (select oid from pg_roles where rolname = current_user) loop
          execute format('alter schema %I owner to %I', r.nspname, ${literal(owner)});
        end loop;
        for r in select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname in ('public', 'drizzle', 'graphile_worker') and c.relkind in ('r', 'p', 'v', 'm', 'f')
                   and c.relowner = (select oid from pg_roles where rolname = current_user) loop
          execute format('alter table %I.%I owner to %I', r.nspname, r.relname, ${literal(owner)});
        end loop;
        -- Sequences owned by a column moved with their table above; identity sequences cannot be moved alone.
        for r in select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname in ('public', 'drizzle', 'graphile_worker') and c.relkind = 'S'
                   and c.relowner = (select oid from pg_roles where rolname = current_user)
                   and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')) loop
          execute format('alter sequence %I.%I owner to %I', r.nspname, r.relname, ${literal(owner)});
        end loop;
        for r in select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) as args from pg_proc p
                 join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname in ('public', 'drizzle', 'graphile_worker') and p.prokind in ('f', 'p')
                   and p.proowner = (select oid from pg_roles where rolname = current_user) loop
          execute format('alter routine %I.%I(%s) owner to %I', r.nspname, r.proname, r.args, ${literal(owner)});
        end loop;
        for r in select n.nspname, t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where n.nspname in ('public', 'drizzle', 'graphile_worker') and t.typtype in ('e', 'd', 'c', 'r')
                   and (t.typrelid = 0 or (select relkind from pg_class where oid = t.typrelid) = 'c')
                   and t.typowner = (select oid from pg_roles where rolname = current_user) loop
          execute format('alter type %I.%I owner to %I', r.nspname, r.typname, ${literal(owner)});
        end loop;
      end $$`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The grant statements, as the owner role, for the application role. Exported so that docs/operations-database.md and
 * the tests can show exactly what runs.
 */
export function grantStatements(appRole: string): string[] {
  const app = ident(appRole);
  const appendOnly = appendOnlyTables.map((t) => `public.${ident(t)}`).join(', ');
  const definerWritten = definerWrittenTables.map((t) => `public.${ident(t)}`).join(', ');
  return [
    // Nobody but the owner creates objects in our schema (PUBLIC had CREATE before PostgreSQL 15).
    'revoke create on schema public from public',
    `grant usage on schema public to ${app}`,
    `grant select, insert, update, delete on all tables in schema public to ${app}`,
    `revoke update, delete, truncate, references, trigger on ${appendOnly} from ${app}`,
    `revoke insert, update, delete, truncate, references, trigger on ${definerWritten} from ${app}`,
    `grant usage, select on all sequences in schema public to ${app}`,
    // Tables and sequences a later migration creates get the same; append-only ones are narrowed again above.
    `alter default privileges in schema public grant select, insert, update, delete on tables to ${app}`,
    `alter default privileges in schema public grant usage, select on sequences to ${app}`,
    // Graphile Worker: the app role adds, takes and completes jobs through its functions and tables; no DDL.
    `grant usage on schema graphile_worker to ${app}`,
    `grant select, insert, update, delete on all tables in schema graphile_worker to ${app}`,
    `grant usage, select on all sequences in schema graphile_worker to ${app}`,
    `grant execute on all functions in schema graphile_worker to ${app}`,
    `alter default privileges in schema graphile_worker grant select, insert, update, delete on tables to ${app}`,
    `alter default privileges in schema graphile_worker grant usage, select on sequences to ${app}`,
    `alter default privileges in schema graphile_worker grant execute on functions to ${app}`,
    // Graphile Worker enables row-level security without policies on its private tables, so that only their owner
    // reaches them; the app role gets a policy of its own (created once, so a restart takes no table lock).
    `do $$
    declare r record;
    begin
      for r in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'graphile_worker' and c.relkind in ('r', 'p') and c.relrowsecurity
                 and not exists (select 1 from pg_policies p where p.schemaname = 'graphile_worker' and p.tablename = c.relname
                                 and p.policyname = 'utrop_app_access' and ${literal(appRole)} = any(p.roles)) loop
        execute format('drop policy if exists utrop_app_access on graphile_worker.%I', r.relname);
        execute format('create policy utrop_app_access on graphile_worker.%I for all to %I using (true) with check (true)', r.relname, ${literal(appRole)});
      end loop;
    end $$`,
    // Web and worker check that migrations are current before they start.
    `grant usage on schema drizzle to ${app}`,
    `grant select on drizzle.__drizzle_migrations to ${app}`,
  ];
}

/** Applies the grants as the owner role. Idempotent: GRANT, REVOKE and default privileges converge. */
export async function applyGrants(sql: postgres.Sql, appRole: string): Promise<void> {
  for (const statement of grantStatements(appRole)) await sql.unsafe(statement);
}
