import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { databaseUrl } from '../../db/embedded';
import { openDatabase, type Database } from '../../db/client';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  destroy(): Promise<void>;
}

/** A fresh, migrated database of its own, cloned from the run's template (about 50 ms). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const template = inject('templateDatabase');
  const name = `utrop_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(serverUrl, name);
  const database = openDatabase(url, { max: 10, applicationName: 'utrop-test' });
  return {
    ...database,
    url,
    name,
    destroy: async () => {
      await database.close();
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end({ timeout: 5 });
    },
  };
}
