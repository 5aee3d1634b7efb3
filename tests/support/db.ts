import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { databaseUrl, urlAs } from '../../db/embedded';
import { openDatabase, type Database } from '../../db/client';

export interface TestDatabase extends Database {
  /** The application role's URL: what the code under test (web, worker, CLI) connects with. */
  url: string;
  name: string;
  /** The owner role (owns the tables), for tests that must tamper below the application's privileges. */
  owner: Database & { url: string };
  /** The cluster superuser's URL for this database (e.g. to disable a trigger in a tamper test). */
  superuserUrl: string;
  /** Closes the pools and drops the database. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database of its own, cloned from the run's template (about 50 ms). `db`/`sql` connect as the
 * application role, like web and worker do (ADR 016).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const template = inject('templateDatabase');
  const ownerRole = inject('ownerRole');
  const appRole = inject('appRole');
  const name = `utrop_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${template} owner ${ownerRole.name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const superuserUrl = databaseUrl(serverUrl, name);
  const url = urlAs(superuserUrl, appRole.name, appRole.password);
  const ownerUrl = urlAs(superuserUrl, ownerRole.name, ownerRole.password);
  const database = openDatabase(url, { max: 10, applicationName: 'utrop-test' });
  // postgres.js connects lazily: tests that never use the owner cost no connection.
  const owner = openDatabase(ownerUrl, { max: 2, applicationName: 'utrop-test-owner' });
  return {
    ...database,
    url,
    name,
    owner: { ...owner, url: ownerUrl },
    superuserUrl,
    destroy: async () => {
      await database.close();
      await owner.close();
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end({ timeout: 5 });
    },
  };
}
