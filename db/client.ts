import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
/** A transaction handle; queries take `Db | Tx` first so they run inside a caller's transaction too. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function openDatabase(
  url: string,
  opts: {
    max?: number;
    applicationName?: string;
    /** Seconds before a connection is replaced (postgres.js: 30–60 min at random); null: kept until it fails. */
    maxLifetimeS?: number | null;
  } = {},
): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? 'utrop' },
    // Hold on a little while PostgreSQL restarts rather than fail the first query.
    connect_timeout: 10,
    ...(opts.maxLifetimeS !== undefined ? { max_lifetime: opts.maxLifetimeS } : {}),
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export { schema };
