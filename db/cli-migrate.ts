// `npm run db:migrate`: applies our and Graphile Worker's migrations as the owner role (DATABASE_OWNER_URL, or the
// embedded server's owner — the running `npm start`'s server, otherwise one started for the duration of the command),
// then the application role's grants.
import { loadConfigOrExit } from '../common/config.server';
import { resolveDatabase } from './connect';
import { migrateAll } from './migrate';

const cfg = loadConfigOrExit();
const resolved = await resolveDatabase({ databaseUrl: cfg.DATABASE_URL, databaseOwnerUrl: cfg.DATABASE_OWNER_URL, embeddedPort: cfg.EMBEDDED_PG_PORT, waitForOwnerMs: cfg.EMBEDDED_PG_WAIT_S * 1000, log: (line) => void process.stderr.write(`${line}\n`) });
let code = 0;
try {
  if (!resolved.ownerUrl) {
    process.stderr.write('Migrating needs the owner role: set DATABASE_OWNER_URL beside DATABASE_URL.\n');
    code = 1;
  } else {
    await migrateAll(resolved.ownerUrl, { appRole: resolved.appRole });
    process.stdout.write('Migrations are current.\n');
  }
} finally {
  await resolved.release();
}
process.exit(code);
