import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { Logger, runMigrations } from 'graphile-worker';
import { applyGrants } from './roles';

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Ours, then Graphile Worker's schema, then the application role's grants (db/roles.ts). Run as the owner role.
 * All no-ops when up to date; safe to run from several processes. Without `appRole` (a single-role setup such as the
 * benchmark) no grants are applied.
 */
export async function migrateAll(ownerUrl: string, opts: { appRole?: string | null } = {}): Promise<void> {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    // Serialise concurrent starters (several web/worker processes in production).
    await sql`select pg_advisory_lock(727274)`;
    await migrate(drizzle(sql), { migrationsFolder });
    await runMigrations({ connectionString: ownerUrl, logger: silentLogger });
    const [me] = await sql<{ user: string }[]>`select current_user as user`;
    if (opts.appRole && opts.appRole !== me?.user) await applyGrants(sql, opts.appRole);
  } finally {
    await sql`select pg_advisory_unlock(727274)`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}

let latest: number | undefined;

/** The `when` of the newest migration this code ships: the schema is current once the database has applied it. */
export function latestMigrationMillis(): number {
  latest ??= Math.max(...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis));
  return latest;
}

export class MigrationsPendingError extends Error {
  override readonly name = 'MigrationsPendingError';
}

/**
 * For processes that connect as the application role only: they cannot migrate, so they refuse to run against a
 * schema older than their code. Throws MigrationsPendingError with one line saying what to do.
 */
export async function assertMigrationsCurrent(url: string): Promise<void> {
  const latest = latestMigrationMillis();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    let applied: number | null = null;
    try {
      const [row] = await sql<{ at: string | null }[]>`select max(created_at)::text as at from drizzle.__drizzle_migrations`;
      applied = row?.at == null ? null : Number(row.at);
      await sql`select 1 from graphile_worker.migrations limit 1`;
    } catch (e) {
      // Undefined schema or table: nothing migrated yet (or no grant to see it).
      const code = (e as { code?: string }).code;
      if (code !== '42P01' && code !== '3F000' && code !== '42501') throw e;
      applied = null;
    }
    if (applied === null || applied < latest) {
      throw new MigrationsPendingError(
        'The database schema is not current: run `npm run db:migrate` with DATABASE_OWNER_URL set (or set DATABASE_OWNER_URL for this process so that it migrates at start).',
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * What every process does before it opens its pool: migrate when it has the owner's URL, otherwise check that
 * someone has.
 */
export async function prepareDatabase(resolved: { url: string; ownerUrl: string | null; appRole: string | null }): Promise<void> {
  if (resolved.ownerUrl) await migrateAll(resolved.ownerUrl, { appRole: resolved.appRole });
  else await assertMigrationsCurrent(resolved.url);
}

export const silentLogger = new Logger(() => () => {});
