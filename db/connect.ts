/**
 * Finds the database every Utrop process uses: DATABASE_URL (the application role) and, when set, DATABASE_OWNER_URL
 * (the owner role, for migrations); otherwise the embedded PostgreSQL in the checkout's data folder (started here, or
 * shared with the Utrop process that already runs it), where both roles are created with generated passwords.
 */
import postgres from 'postgres';
import {
  databaseUrl,
  defaultDataDir,
  embeddedRolePasswords,
  startEmbeddedPostgres,
  urlAs,
  EMBEDDED_APP_ROLE,
  EMBEDDED_OWNER_ROLE,
  type EmbeddedServer,
} from './embedded';
import { adoptDatabase, ensureRoles } from './roles';

export interface ResolvedDatabase {
  /** The application role's URL: what web, worker and CLI open their pool with. */
  url: string;
  /** The owner role's URL, for migrations; null when this process may only check that migrations are current. */
  ownerUrl: string | null;
  /** The application role's name, which the migration step grants to. */
  appRole: string | null;
  embedded: EmbeddedServer | null;
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'utrop';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function ensureDatabaseExists(serverUrl: string, name: string, owner?: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ exists: boolean }[]>`select exists(select 1 from pg_database where datname = ${name})`;
    if (!row?.exists) await sql.unsafe(`create database ${ident(name)}${owner ? ` owner ${ident(owner)}` : ''}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

export async function resolveDatabase(opts: {
  databaseUrl: string | undefined;
  databaseOwnerUrl?: string | undefined;
  embeddedPort: number;
  /** Restart the embedded server if it crashes (`npm start`, ADR 019). */
  supervise?: boolean;
  /** How long to wait for the server of another live Utrop process while it is down. */
  waitForOwnerMs?: number;
  log?: (line: string) => void;
}): Promise<ResolvedDatabase> {
  if (opts.databaseUrl) {
    return {
      url: opts.databaseUrl,
      ownerUrl: opts.databaseOwnerUrl ?? null,
      appRole: roleOf(opts.databaseUrl),
      embedded: null,
      release: async () => {},
    };
  }
  const dataDir = defaultDataDir();
  const embedded = await startEmbeddedPostgres({ dataDir, port: opts.embeddedPort, supervise: opts.supervise, waitForOwnerMs: opts.waitForOwnerMs, log: opts.log });
  try {
    const passwords = embeddedRolePasswords(dataDir);
    await ensureRoles(embedded.url, {
      owner: { name: EMBEDDED_OWNER_ROLE, password: passwords.owner },
      app: { name: EMBEDDED_APP_ROLE, password: passwords.app },
    });
    await ensureDatabaseExists(embedded.url, EMBEDDED_DATABASE, EMBEDDED_OWNER_ROLE);
    await adoptDatabase(databaseUrl(embedded.url, EMBEDDED_DATABASE), EMBEDDED_OWNER_ROLE);
    const dbUrl = databaseUrl(embedded.url, EMBEDDED_DATABASE);
    return {
      url: urlAs(dbUrl, EMBEDDED_APP_ROLE, passwords.app),
      ownerUrl: urlAs(dbUrl, EMBEDDED_OWNER_ROLE, passwords.owner),
      appRole: EMBEDDED_APP_ROLE,
      embedded,
      release: () => embedded.stop(),
    };
  } catch (e) {
    await embedded.stop();
    throw e;
  }
}
