import { loadConfigOrExit } from '../../common/config.server';
import { resolveDatabase } from '../../db/connect';
import { prepareDatabase } from '../../db/migrate';
import { openDatabase, type Db } from '../../db/client';
import { defaultDataDir } from '../../db/embedded';
import { loadSecrets, type Secrets } from '../../common/secrets.server';
import { say } from './io';

/**
 * Runs a command against Utrop's database: DATABASE_URL, or the embedded server — the one `npm start` runs if it
 * is running, otherwise started for the duration of the command.
 */
export async function withDatabase<T>(fn: (db: Db, ctx: { url: string; secrets: Secrets }) => Promise<T>): Promise<T> {
  const cfg = loadConfigOrExit();
  const resolved = await resolveDatabase({ databaseUrl: cfg.DATABASE_URL, databaseOwnerUrl: cfg.DATABASE_OWNER_URL, embeddedPort: cfg.EMBEDDED_PG_PORT, waitForOwnerMs: cfg.EMBEDDED_PG_WAIT_S * 1000, log: say });
  try {
    await prepareDatabase(resolved);
    const database = openDatabase(resolved.url, { max: 4, applicationName: 'utrop-cli' });
    try {
      return await fn(database.db, { url: resolved.url, secrets: loadSecrets(cfg, defaultDataDir()) });
    } finally {
      await database.close();
    }
  } finally {
    await resolved.release();
  }
}
