// `npm run db:migrate`: applies our and Graphile Worker's migrations to DATABASE_URL, or to the embedded server
// (the running `npm start`'s, otherwise started for the duration of the command).
import { loadConfigOrExit } from '../common/config.server';
import { resolveDatabase } from './connect';
import { migrateAll } from './migrate';

const cfg = loadConfigOrExit();
const resolved = await resolveDatabase({ databaseUrl: cfg.DATABASE_URL, embeddedPort: cfg.EMBEDDED_PG_PORT });
try {
  await migrateAll(resolved.url);
  process.stdout.write('Migrations are current.\n');
} finally {
  await resolved.release();
}
