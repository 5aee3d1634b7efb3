/**
 * The bench's own database: a fresh one on the server DATABASE_URL names (dropped afterwards), or an ephemeral
 * embedded PostgreSQL. Cleanups are pushed onto the caller's list, to run in reverse order.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { ensureDatabaseExists } from '../../db/connect';
import { databaseUrl, startEmbeddedPostgres, tempDataDir } from '../../db/embedded';
import { freePort } from '../support/ports';

export async function benchDatabase(
  opts: { name: string; databaseUrl?: string; log: (line: string) => void },
  cleanups: (() => Promise<void>)[],
): Promise<string> {
  if (opts.databaseUrl) {
    const serverUrl = databaseUrl(opts.databaseUrl, 'postgres');
    const name = `${opts.name}_${randomBytes(5).toString('hex')}`;
    await ensureDatabaseExists(serverUrl, name);
    cleanups.push(async () => {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end({ timeout: 5 });
    });
    return databaseUrl(serverUrl, name);
  }
  const server = await startEmbeddedPostgres({ dataDir: tempDataDir(opts.name.replace(/_/g, '-')), port: await freePort(), ephemeral: true, log: opts.log });
  cleanups.push(() => server.stop());
  await ensureDatabaseExists(server.url, opts.name);
  return databaseUrl(server.url, opts.name);
}
