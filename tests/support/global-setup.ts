/**
 * Once per `vitest run`: a PostgreSQL server (embedded in a temp folder when DATABASE_URL is unset) with a migrated
 * template database. Each test file clones its own database from the template (tests/support/db.ts).
 */
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres, tempDataDir, databaseUrl, urlAs } from '../../db/embedded';
import { migrateAll } from '../../db/migrate';
import { ensureRoles, type RoleCredentials } from '../../db/roles';
import { freePort } from './ports';
import { buildIfNeeded } from '../../app/server/build';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDatabase: string;
    /** ADR 016: tests migrate as the owner role and run the code under test as the application role. */
    ownerRole: RoleCredentials;
    appRole: RoleCredentials;
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
  // Roles are cluster-wide: a shared server (DATABASE_URL) may serve several runs at once, so each run has its own.
  const suffix = process.env.DATABASE_URL ? `_${process.pid}` : '';
  const ownerRole = { name: `utrop_owner${suffix}`, password: randomBytes(18).toString('base64url') };
  const appRole = { name: `utrop_app${suffix}`, password: randomBytes(18).toString('base64url') };
  await ensureRoles(serverUrl, { owner: ownerRole, app: appRole });
  await admin.unsafe(`create database ${template} owner ${ownerRole.name}`);
  await migrateAll(urlAs(databaseUrl(serverUrl, template), ownerRole.name, ownerRole.password), { appRole: appRole.name });
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('ownerRole', ownerRole);
  project.provide('appRole', appRole);
  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`).catch(() => {});
    if (suffix) {
      // Fails harmlessly while a test database was left behind; the roles then stay for a DBA to drop.
      await admin.unsafe(`drop role if exists ${appRole.name}`).catch(() => {});
      await admin.unsafe(`drop role if exists ${ownerRole.name}`).catch(() => {});
    }
    await admin.end({ timeout: 5 });
    await stop();
  };
}
