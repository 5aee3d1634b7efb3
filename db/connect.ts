/**
 * Finds the database every Utrop process uses: DATABASE_URL when set, otherwise the embedded PostgreSQL in the
 * checkout's data folder (started here, or shared with the Utrop process that already runs it).
 */
import postgres from 'postgres';
import { databaseUrl, defaultDataDir, startEmbeddedPostgres, type EmbeddedServer } from './embedded';

export interface ResolvedDatabase {
  url: string;
  embedded: EmbeddedServer | null;
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'utrop';

export async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ exists: boolean }[]>`select exists(select 1 from pg_database where datname = ${name})`;
    if (!row?.exists) await sql.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function resolveDatabase(opts: {
  databaseUrl: string | undefined;
  embeddedPort: number;
  log?: (line: string) => void;
}): Promise<ResolvedDatabase> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: null, release: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: defaultDataDir(), port: opts.embeddedPort, log: opts.log });
  try {
    await ensureDatabaseExists(embedded.url, EMBEDDED_DATABASE);
  } catch (e) {
    await embedded.stop();
    throw e;
  }
  return { url: databaseUrl(embedded.url, EMBEDDED_DATABASE), embedded, release: () => embedded.stop() };
}
