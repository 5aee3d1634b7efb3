/** `npm run start:web`: the web process alone (production: several of them behind a load balancer). */
import { loadConfigOrExit, publicUrlOf } from '../../common/config.server';
import { resolveDatabase } from '../../db/connect';
import { prepareDatabase } from '../../db/migrate';
import { defaultDataDir } from '../../db/embedded';
import { openDatabase } from '../../db/client';
import { loadSecrets } from '../../common/secrets.server';
import { loadBuild, startWebServer } from './web';

const cfg = loadConfigOrExit();
const root = process.cwd();
try {
  const resolved = await resolveDatabase({ databaseUrl: cfg.DATABASE_URL, databaseOwnerUrl: cfg.DATABASE_OWNER_URL, embeddedPort: cfg.EMBEDDED_PG_PORT });
  await prepareDatabase(resolved);
  const secrets = loadSecrets(cfg, defaultDataDir());
  const database = openDatabase(resolved.url, { applicationName: 'utrop-web' });
  const web = await startWebServer({
    db: database.db,
    build: await loadBuild(root),
    port: cfg.PORT,
    host: cfg.HOST,
    sessionSecret: secrets.sessionSecret,
    credentialsKey: secrets.credentialsKey,
    simulatorUrl: null,
    publicUrl: publicUrlOf(cfg),
    root,
  });
  process.stdout.write(`Utrop web listening at ${web.url}\n`);
  const stop = async () => {
    await web.close();
    await database.close();
    await resolved.release();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
