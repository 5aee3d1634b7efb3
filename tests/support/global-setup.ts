/**
 * Once per `vitest run`: a PostgreSQL server (embedded in a temp folder when DATABASE_URL is unset) with a migrated
 * template database. Each test file clones its own database from the template (tests/support/db.ts).
 */
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { startEmbeddedPostgres, tempDataDir, databaseUrl } from '../../db/embedded';
import { migrateAll } from '../../db/migrate';
import { freePort } from './ports';
import { buildIfNeeded } from '../../app/server/build';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  // Web tests serve the real Remix build.
  buildIfNeeded(process.cwd(), () => {});
  let serverUrl: string;
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    serverUrl = databaseUrl(process.env.DATABASE_URL, 'postgres');
  } else {
    const server = await startEmbeddedPostgres({ dataDir: tempDataDir('utrop-test-pg'), port: await freePort(), ephemeral: true });
    serverUrl = server.url;
    stop = () => server.stop();
  }
  const template = `utrop_template_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  await migrateAll(databaseUrl(serverUrl, template));
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    await stop();
  };
}
