/**
 * `npm start`: the whole console on one machine — embedded PostgreSQL (unless DATABASE_URL is set), migrations,
 * the platform simulators, demo data, a worker process and the web server. Ctrl-C stops all of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfigOrExit, publicUrlOf } from '../../common/config.server';
import { resolveDatabase } from '../../db/connect';
import { prepareDatabase } from '../../db/migrate';
import { defaultDataDir, EmbeddedPostgresError } from '../../db/embedded';
import { openDatabase } from '../../db/client';
import { seedDemo } from '../demo/seed.server';
import { allSimulators, startSimulatorServer } from '../../workers/platforms/sim/index';
import { loadSecrets } from '../../common/secrets.server';
import { buildIfNeeded } from './build';
import { loadBuild, startWebServer } from './web';

const root = process.cwd();
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const cfg = loadConfigOrExit();
  buildIfNeeded(root, say);
  const dataDir = defaultDataDir();
  const resolved = await resolveDatabase({ databaseUrl: cfg.DATABASE_URL, databaseOwnerUrl: cfg.DATABASE_OWNER_URL, embeddedPort: cfg.EMBEDDED_PG_PORT, supervise: true, log: say });
  const cleanups: (() => Promise<void>)[] = [() => resolved.release()];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('Stopping Utrop…');
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => say(`  (while stopping: ${String(e)})`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));

  try {
    await prepareDatabase(resolved);
    const secrets = loadSecrets(cfg, dataDir);
    // The simulators keep their posts and issued tokens in the data folder across restarts (ADR 018).
    const sims = await startSimulatorServer(allSimulators, { port: cfg.SIM_PORT, stateFile: path.join(dataDir, 'simulators.json'), log: say });
    cleanups.push(() => sims.close());
    const database = openDatabase(resolved.url, { applicationName: 'utrop-web' });
    cleanups.push(() => database.close());
    const seed = await seedDemo(database.db, { simulatorUrl: sims.url, credentialsKey: secrets.credentialsKey, simulatorsRestored: sims.restored });
    const publicUrl = publicUrlOf(cfg);

    const worker = superviseWorker({
      ...process.env,
      DATABASE_URL: resolved.url,
      PUBLIC_URL: publicUrl,
      SESSION_SECRET: secrets.sessionSecret,
      CREDENTIALS_KEY: secrets.credentialsKey.toString('hex'),
      UTROP_DATA_DIR: dataDir,
      NODE_ENV: cfg.NODE_ENV,
      // Incoming warnings in the demo: the simulators' local Krisinformation- and VMA-style feeds (ADR 040).
      CAP_FEEDS: process.env.CAP_FEEDS ?? `atom:${sims.url}/feeds/krisinformation.atom json:${sims.url}/feeds/vma.json`,
    });
    cleanups.push(() => worker.stop());

    const web = await startWebServer({
      db: database.db,
      build: await loadBuild(root),
      port: cfg.PORT,
      host: cfg.HOST,
      sessionSecret: secrets.sessionSecret,
      credentialsKey: secrets.credentialsKey,
      simulatorUrl: sims.url,
      publicUrl,
      root,
    });
    cleanups.push(() => web.close());

    say('');
    say(`Demo logins (password for all: ${seed.demoPassword}):`);
    for (const u of seed.demoUsers) say(`  ${u.role.padEnd(18)} ${u.email}`);
    say(`Platform simulators: ${sims.url} (state: ${sims.url}/_sim/state)`);
    say(`Database: ${resolved.embedded ? `embedded PostgreSQL in ${resolved.embedded.dataDir}` : 'DATABASE_URL'}`);
    say('Press Ctrl-C to stop.');
    say('');
    say(`Utrop is ready at ${web.url}`);
  } catch (e) {
    say(e instanceof Error ? e.message : String(e));
    await stopAll(1);
  }
}

/** The worker runs as its own process, as in production; restarted if it dies. */
function superviseWorker(env: NodeJS.ProcessEnv) {
  let child: ChildProcess | null = null;
  let stopped = false;
  const startChild = () => {
    // node --import tsx, not the tsx wrapper: signals then reach the worker itself, not a parent that relays them.
    child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => {
      if (stopped) return;
      say(`The worker stopped (${signal ?? code}); restarting it.`);
      setTimeout(startChild, 1000);
    });
  };
  startChild();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = true;
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        c.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        c.kill('SIGTERM');
      }),
  };
}

main().catch((e: unknown) => {
  if (e instanceof EmbeddedPostgresError) say(e.message);
  else say(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
