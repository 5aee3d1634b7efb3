/**
 * The delivery lifecycle's transition table against the database: it names exactly the states of the delivery_state
 * enum, every transition it does not list is refused (typed error, nothing written), and bulk state writes only touch
 * rows in the from-states it allows.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { seedDemo } from '../../app/demo/seed.server';
import { createPost } from '../../app/models/posts.server';
import { channels, deliveries, deliveryStateValues, type DeliveryState } from '../../db/schema';
import {
  IllegalTransitionError,
  canTransition,
  createDeliveries,
  deliveryTransitions,
  initialDeliveryStates,
  statesLeadingTo,
  transitionChannelDeliveries,
  transitionReturning,
  transitionSql,
} from '../../workers/delivery/states';

let t: TestDatabase;
let channelId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:9', credentialsKey: randomBytes(32) });
  const [c] = await t.db.select().from(channels).where(eq(channels.key, 'x-helsingborg'));
  channelId = c!.id;
});
afterAll(async () => {
  await t.destroy();
});

const states = Object.keys(deliveryTransitions) as DeliveryState[];
const pairs = states.flatMap((from) => states.map((to) => [from, to] as const));
const illegal = pairs.filter(([from, to]) => from !== to && !canTransition(from, to));

async function newDelivery(): Promise<string> {
  const created = await createPost(t.db, {
    text: `Livscykel ${randomBytes(4).toString('hex')}`,
    channelKeys: ['x-helsingborg'],
    scheduledAt: new Date(Date.now() + 24 * 3600_000),
    createdBy: null,
    actorLabel: 'test',
  });
  return created.deliveries[0]!.id;
}

/** Test set-up only: puts a row in a state directly, as the owner, without the lifecycle. */
async function force(id: string, state: DeliveryState): Promise<void> {
  await t.owner.db.execute(sql`update deliveries set state = ${state}::delivery_state where id = ${id}`);
}

async function stateOf(id: string): Promise<DeliveryState> {
  const [d] = await t.db.select({ state: deliveries.state }).from(deliveries).where(eq(deliveries.id, id));
  return d!.state;
}

describe('the delivery transition table', () => {
  it('has one entry per value of the delivery_state enum in the database, and only those', async () => {
    const rows = await t.db.execute<{ s: string }>(sql`select unnest(enum_range(null::delivery_state))::text as s`);
    const inDb = rows.map((r) => r.s).sort();
    expect([...states].sort()).toEqual(inDb);
    expect([...deliveryStateValues].sort()).toEqual(inDb);
    for (const to of Object.values(deliveryTransitions).flat()) expect(inDb).toContain(to);
    for (const s of initialDeliveryStates) expect(inDb).toContain(s);
  });

  it('published is final and every other state can still end somewhere', () => {
    expect(deliveryTransitions.published).toEqual([]);
    for (const s of states.filter((x) => x !== 'published')) expect(deliveryTransitions[s].length).toBeGreaterThan(0);
    expect(statesLeadingTo('cancelled').sort()).toEqual(['draft', 'held', 'publishing', 'queued', 'scheduled']);
  });

  it('refuses every transition it does not list, with a typed error, before building any SQL', () => {
    expect(illegal.length).toBeGreaterThan(20);
    for (const [from, to] of illegal) {
      let caught: unknown;
      try {
        transitionSql({ id: '00000000-0000-4000-8000-000000000000', state: from }, to, {});
      } catch (e) {
        caught = e;
      }
      expect(caught, `${from} → ${to}`).toBeInstanceOf(IllegalTransitionError);
      expect(caught).toMatchObject({ code: 'illegal_transition', from, to });
    }
  });

  it('refuses every illegal transition on a real row and leaves it as it was; allows the listed ones', async () => {
    const id = await newDelivery();
    for (const from of states) {
      await force(id, from);
      for (const to of states.filter((x) => x !== from && !canTransition(from, x))) {
        await expect(transitionReturning(t.db, { id, state: from }, to, { failureReason: 'x' }), `${from} → ${to}`).rejects.toBeInstanceOf(
          IllegalTransitionError,
        );
        expect(await stateOf(id)).toBe(from);
      }
      for (const to of deliveryTransitions[from]) {
        await force(id, from);
        const row = await transitionReturning(t.db, { id, state: from }, to, {});
        expect(row.state).toBe(to);
      }
    }
  });

  it('refuses a write from a stale copy: the WHERE requires the from-state', async () => {
    const id = await newDelivery();
    await force(id, 'published');
    // The caller believes it is still scheduled; scheduled → cancelled is allowed, but the row is published.
    await expect(transitionReturning(t.db, { id, state: 'scheduled' }, 'cancelled', {})).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await stateOf(id)).toBe('published');
  });

  it('bulk writes touch only rows in the allowed from-states and refuse a from-state the table does not allow', async () => {
    const [a, b, c] = [await newDelivery(), await newDelivery(), await newDelivery()];
    await force(a, 'queued');
    await force(c, 'failed');
    const moved = await transitionChannelDeliveries(t.db, channelId, ['scheduled', 'queued'], 'held', { nextAttemptAt: null });
    expect(moved).toEqual(expect.arrayContaining([a, b]));
    expect(moved).not.toContain(c);
    expect(await stateOf(c)).toBe('failed');
    await expect(transitionChannelDeliveries(t.db, channelId, ['failed'], 'held')).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await stateOf(c)).toBe('failed');
  });

  it('creates deliveries only in an initial state', async () => {
    const id = await newDelivery();
    const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, id));
    await expect(
      createDeliveries(t.db, [{ postId: d!.postId, channelId: d!.channelId, scheduledAt: new Date(), state: 'published' }]),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
  });
});

describe('one writer of the state', () => {
  it('only the lifecycle module calls the state writes of db/queries/deliveries.ts', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('git', ['grep', '-l', '-E', 'deliveryStateUpdateSql|updateDeliveryState|updateChannelDeliveriesState', '--', 'app', 'workers', 'db', 'common'], {
      encoding: 'utf8',
    });
    expect(out.trim().split('\n').sort()).toEqual(['db/queries/deliveries.ts', 'workers/delivery/states.ts']);
  });
});
