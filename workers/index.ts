/**
 * The worker process (`npm run start:worker`): publishes deliveries and runs the housekeeping schedule.
 * Configuration comes from the environment (app/config.server.ts, .env.example; DELIVERY_* in workers/lib/policy.ts).
 */
import { mailSettingsOf } from './lib/mail';
import { loadConfigOrExit, publicUrlOf } from '../common/config.server';
import { loadSecrets } from '../common/secrets.server';
import { logger } from '../common/logger.server';
import { openDatabase } from '../db/client';
import { resolveDatabase } from '../db/connect';
import { defaultDataDir } from '../db/embedded';
import { MigrationsPendingError, prepareDatabase } from '../db/migrate';
import { deliveryPolicyFromEnv } from './lib/policy';
import { startDeliveryWorker } from './runner';

async function main(): Promise<void> {
  const cfg = loadConfigOrExit();
  const log = logger.child({ process: 'worker' });
  let policy;
  try {
    policy = deliveryPolicyFromEnv(process.env);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const resolved = await resolveDatabase({
    databaseUrl: cfg.DATABASE_URL,
    databaseOwnerUrl: cfg.DATABASE_OWNER_URL,
    embeddedPort: cfg.EMBEDDED_PG_PORT,
    log: (line) => log.info(line),
  });
  // PostgreSQL may be restarting while we start (a supervisor restarting both): wait for it for a while.
  for (let attempt = 1; ; attempt++) {
    try {
      await prepareDatabase(resolved);
      break;
    } catch (e) {
      if (e instanceof MigrationsPendingError) {
        process.stderr.write(`${e.message}\n`);
        process.exit(1);
      }
      if (attempt >= 30) throw e;
      log.warn({ err: e, attempt }, 'database not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5_000)));
    }
  }
  const secrets = loadSecrets(cfg, defaultDataDir());
  // Kept, not replaced every 30–60 minutes: a replaced connection comes back cold (workers/delivery/warm.ts).
  const database = openDatabase(resolved.url, { max: cfg.WORKER_CONCURRENCY + 4, applicationName: 'utrop-worker', maxLifetimeS: null });
  const worker = await startDeliveryWorker({
    connectionString: resolved.url,
    db: database.db,
    credentialsKey: secrets.credentialsKey,
    log,
    platformTimeoutMs: cfg.PLATFORM_TIMEOUT_MS,
    publicUrl: publicUrlOf(cfg),
    mail: mailSettingsOf(cfg),
    concurrency: cfg.WORKER_CONCURRENCY,
    pollInterval: cfg.WORKER_POLL_INTERVAL_MS,
    policy,
    withCron: process.env.WORKER_CRON !== 'false',
    // All but a few: the heartbeat and the sweeper keep theirs busy at times, and a reserved one blocks no one then.
    warmConnections: cfg.WORKER_CONCURRENCY,
    // Crash-only: a worker that cannot make progress exits; its heartbeat stops and its work is reconciled elsewhere.
    onFatal: (reason) => {
      log.fatal({ err: reason }, 'worker cannot make progress; exiting so that its work is taken over');
      process.exit(1);
    },
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping worker');
    // A second signal while stopping ends the process at once (attempts in progress are reconciled later).
    process.once('SIGINT', () => process.exit(130));
    process.once('SIGTERM', () => process.exit(143));
    try {
      await worker.stop();
      await database.close();
      await resolved.release();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

// postgres.js 3.4.9 can throw from a timer when PostgreSQL drops a connection (porsager/postgres#1154, #1208); such
// an error, like any other uncaught one, ends the process with a structured log line. That is safe: this runner's
// heartbeat stops, and whatever it had in progress is reconciled by the others (or by its successor) before anything
// is sent again. Run the worker under a supervisor that restarts it (systemd Restart=always, or the start script).
process.on('uncaughtException', (e) => {
  logger.fatal({ err: e }, 'uncaught exception in the worker; exiting');
  process.exit(1);
});

main().catch((e: unknown) => {
  logger.fatal({ err: e }, 'worker failed to start');
  process.exit(1);
});
