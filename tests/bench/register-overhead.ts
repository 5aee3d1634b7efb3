/**
 * What registering costs a publish (issue 9: "numbering and chaining must not make the register the bottleneck of a
 * crisis burst"), measured, not estimated: the publish's recording transaction — lock the delivery, then the one
 * statement of workers/delivery/publication.ts (delivery → published, the public record, the audit entry) — run for
 * real deliveries once with the register insert and once without it (the same statement list less that one), in
 * alternation, on the same database. Sequentially (one publisher: the per-publish overhead) and with `concurrency`
 * publishers at once (a crisis burst: the chain head's row lock serialises registrations, so this is where a
 * bottleneck would show). The platform call is not part of it: registration does not change it.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { benchDatabase } from './database';
import { openDatabase, type Db } from '../../db/client';
import { migrateAll } from '../../db/migrate';
import { seedDemo } from '../../app/demo/seed.server';
import { createPost } from '../../app/models/posts.server';
import { channels, deliveries, type Channel, type Delivery } from '../../db/schema';
import { executeAll } from '../../db/queries/fast';
import { publicationStatements } from '../../workers/delivery/publication';

export interface RegisterOverheadOptions {
  /** Publishes per variant, sequentially. */
  publishes: number;
  /** Publishers at once in the burst, and publishes per variant there. */
  concurrency: number;
  burst: number;
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface RegisterOverheadResult {
  publishes: number;
  withP50Ms: number;
  withoutP50Ms: number;
  withP95Ms: number;
  withoutP95Ms: number;
  /** p50 with − p50 without, per publish, one publisher. */
  overheadP50Ms: number;
  burst: number;
  concurrency: number;
  burstWithPerS: number;
  burstWithoutPerS: number;
}

const dialect = new PgDialect();

function percentile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? Number.NaN;
}
const round = (n: number) => Math.round(n * 100) / 100;

/** The publish's recording statements for one delivery; without registration: the same less the public record. */
function statements(delivery: Delivery, channel: Channel, register: boolean) {
  const all = publicationStatements({
    delivery,
    channel,
    content: { text: 'Bänk: vattnet stängs av på Drottninggatan i kväll', link: null, title: null, media: [] },
    exercise: false,
    externalId: `bench-${randomBytes(8).toString('hex')}`,
    permalink: null,
    actor: { userId: null, label: 'bench' },
  });
  const recordIndex = all.findIndex((s) => /insert into "?public_records"?/i.test(dialect.sqlToQuery(s).sql));
  if (recordIndex < 0) throw new Error('bench: the publish statement list has no public_records insert any more');
  return register ? all : all.filter((_, i) => i !== recordIndex);
}

async function publishOnce(db: Db, id: string, byId: Map<string, Channel>, register: boolean): Promise<number> {
  const t0 = performance.now();
  await db.transaction(async (tx) => {
    const [d] = await tx.select().from(deliveries).where(eq(deliveries.id, id)).for('update');
    if (!d) throw new Error(`bench: delivery ${id} vanished`);
    await executeAll(tx, statements(d, byId.get(d.channelId)!, register));
  });
  return performance.now() - t0;
}

async function scheduledDeliveries(db: Db, n: number, channelKeys: string[]): Promise<string[]> {
  const ids: string[] = [];
  const at = new Date(Date.now() + 7 * 24 * 3600_000);
  while (ids.length < n) {
    const { deliveries: ds } = await createPost(db, { text: `Bänk ${ids.length} ${randomBytes(3).toString('hex')}`, channelKeys, scheduledAt: at, createdBy: null, actorLabel: 'bench' });
    ids.push(...ds.map((d) => d.id));
  }
  return ids.slice(0, n);
}

export async function runRegisterOverheadBench(opts: RegisterOverheadOptions): Promise<RegisterOverheadResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const url = await benchDatabase({ name: 'utrop_bench_overhead', databaseUrl: opts.databaseUrl, log }, cleanups);
    await migrateAll(url);
    const database = openDatabase(url, { max: opts.concurrency + 2, applicationName: 'utrop-bench-overhead' });
    cleanups.push(() => database.close());
    await seedDemo(database.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
    const chans = await database.db.select().from(channels);
    const byId = new Map(chans.map((c) => [c.id, c]));
    const keys = chans.filter((c) => c.platform === 'x' || c.platform === 'facebook').map((c) => c.key);
    const total = 2 * (opts.publishes + opts.burst) + 20;
    const ids = await scheduledDeliveries(database.db, total, keys);
    log(`register overhead bench: ${ids.length} scheduled deliveries`);
    const records = async () => (await database.sql<{ n: number }[]>`select count(*)::int as n from public_records where kind = 'outgoing_post'`)[0]!.n;
    const before = await records();
    let next = 0;
    const take = () => ids[next++]!;
    // Warm-up: plan caches and the chain head's page, as in a running worker.
    for (let i = 0; i < 10; i++) {
      await publishOnce(database.db, take(), byId, true);
      await publishOnce(database.db, take(), byId, false);
    }
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    for (let i = 0; i < opts.publishes; i++) {
      // Alternating, so drift on a shared machine falls on both alike.
      withMs.push(await publishOnce(database.db, take(), byId, true));
      withoutMs.push(await publishOnce(database.db, take(), byId, false));
    }
    const burst = async (register: boolean): Promise<number> => {
      const mine = Array.from({ length: opts.burst }, take);
      let i = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (i < mine.length) await publishOnce(database.db, mine[i++]!, byId, register);
        }),
      );
      return opts.burst / ((performance.now() - t0) / 1000);
    };
    const burstWithoutPerS = await burst(false);
    const burstWithPerS = await burst(true);
    // Exactly the publishes with registration wrote a record: the comparison is what it says it is.
    const written = (await records()) - before;
    if (written !== 10 + opts.publishes + opts.burst) throw new Error(`bench: ${written} records for ${10 + opts.publishes + opts.burst} registered publishes`);
    const result: RegisterOverheadResult = {
      publishes: opts.publishes,
      withP50Ms: round(percentile(withMs, 0.5)),
      withoutP50Ms: round(percentile(withoutMs, 0.5)),
      withP95Ms: round(percentile(withMs, 0.95)),
      withoutP95Ms: round(percentile(withoutMs, 0.95)),
      overheadP50Ms: round(percentile(withMs, 0.5) - percentile(withoutMs, 0.5)),
      burst: opts.burst,
      concurrency: opts.concurrency,
      burstWithPerS: round(burstWithPerS),
      burstWithoutPerS: round(burstWithoutPerS),
    };
    log(`register overhead bench: ${JSON.stringify(result)}`);
    return result;
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  }
}
