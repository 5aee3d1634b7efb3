/**
 * Demo data, idempotent: one user per role and the city's channels, pointed at the local simulators with the
 * simulators' demo credentials. Running it again changes nothing that exists.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { channels, roleValues } from '../../db/schema';
import { platforms, platformModule, type Platform } from '../../workers/platforms/index';
import { demoAccounts, demoCredentials, type DemoAccount } from '../../workers/platforms/sim/index';
import { encryptCredentials } from '../../db/credentials';
import { findUserByEmail } from '../../db/queries/users';
import { createUser } from '../models/users.server';
import { addHandoverWeek, listHandoverChannels, updateGuidelines } from '../models/handover.server';
import { findHostWindow } from '../../db/queries/handover';
import { isoWeekLabel } from '../../common/time';
import { feedConfigSchema, syncFeeds } from '../models/feeds.server';

const seedSchema = z.object({
  organisation: z.string(),
  channels: z.array(
    z.object({
      key: z.string(),
      platform: z.enum(platforms),
      name: z.string(),
      description: z.string(),
      demoAccount: z.string(),
    }),
  ),
  demoUsers: z.array(z.object({ email: z.string().email(), name: z.string(), role: z.enum(roleValues) })),
  demoPassword: z.string().min(12),
  /** The staff account handed over weekly: its first guidelines, and the demo host who holds the current week. */
  handover: z.object({ channel: z.string(), guidelines: z.string().min(20), demoHost: z.string().email().optional() }).optional(),
  /** RSS/Atom feeds imported as drafts (ADR 042). */
  feeds: z.array(feedConfigSchema).max(50).optional(),
});
export type SeedData = z.infer<typeof seedSchema>;

function refreshDueOf(platform: Platform, account: DemoAccount): Date | null {
  return platformModule(platform).adapter.refreshDueAt(demoCredentials(account));
}

export function loadSeed(file = new URL('./helsingborg.json', import.meta.url)): SeedData {
  return seedSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export async function seedDemo(
  db: Db,
  opts: {
    simulatorUrl: string;
    credentialsKey: Buffer;
    seed?: SeedData;
    /**
     * The simulators came back with their saved state (ADR 018): the tokens a channel holds (refreshed, or from a
     * new connection) are still known to them, so they are kept. False (first run, tests, unreadable state file):
     * the simulators know only their demo tokens, so a channel on a simulator gets those back.
     */
    simulatorsRestored?: boolean;
  },
) {
  const seed = opts.seed ?? loadSeed();
  for (const u of seed.demoUsers) {
    if (await findUserByEmail(db, u.email)) continue;
    await createUser(db, { ...u, password: seed.demoPassword }, { userId: null, label: 'seed' });
  }
  for (const c of seed.channels) {
    const account = demoAccounts.find((a) => a.key === c.demoAccount);
    if (!account) throw new Error(`seed: no demo account ${c.demoAccount}`);
    const [existing] = await db.select().from(channels).where(eq(channels.key, c.key));
    const apiBaseUrl = `${opts.simulatorUrl}/${c.platform}`;
    if (existing) {
      const onSimulator = existing.apiBaseUrl?.startsWith('http://127.0.0.1') ?? false;
      if (onSimulator && opts.simulatorsRestored) {
        // Same state as last run: keep the credentials and their status; only a changed SIM_PORT is followed.
        if (existing.apiBaseUrl !== apiBaseUrl) await db.update(channels).set({ apiBaseUrl }).where(eq(channels.id, existing.id));
      } else if (onSimulator) {
        // Simulators that started empty know only their demo tokens: a channel on one gets those (and the port) back.
        await db
          .update(channels)
          .set({
            apiBaseUrl,
            credentialStatus: 'ok',
            credentialError: null,
            credentialsEncrypted: encryptCredentials(opts.credentialsKey, existing.id, demoCredentials(account)),
            credentialsRefreshDueAt: refreshDueOf(c.platform, account),
          })
          .where(eq(channels.id, existing.id));
      }
      continue;
    }
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(channels)
        .values({
          key: c.key,
          platform: c.platform,
          name: c.name,
          description: c.description,
          accountId: account.accountId,
          handle: account.handle,
          apiBaseUrl,
          credentialStatus: 'ok',
        })
        .returning();
      if (!row) throw new Error('seed: channel insert returned nothing');
      const sealed = encryptCredentials(opts.credentialsKey, row.id, demoCredentials(account));
      await tx
        .update(channels)
        .set({ credentialsEncrypted: sealed, credentialsRefreshDueAt: refreshDueOf(c.platform, account) })
        .where(eq(channels.id, row.id));
    });
  }
  if (seed.handover) await seedHandover(db, seed.handover, seed.demoUsers);
  if (seed.feeds) await syncFeeds(db, seed.feeds, { simulatorUrl: opts.simulatorUrl });
  return seed;
}

/** Guidelines make the channel a handover channel; the demo host holds the current week so the flow can be tried. */
async function seedHandover(db: Db, h: NonNullable<SeedData['handover']>, demoUsers: SeedData['demoUsers']) {
  const actor = { userId: null, label: 'seed' };
  if (!(await listHandoverChannels(db)).some((c) => c.key === h.channel)) await updateGuidelines(db, { channelKey: h.channel, body: h.guidelines }, actor);
  const host = demoUsers.find((u) => u.email === h.demoHost);
  if (!host) return;
  const [channel] = await db.select().from(channels).where(eq(channels.key, h.channel));
  const now = new Date();
  if (!channel || (await findHostWindow(db, { at: now, channelId: channel.id }))) return;
  await addHandoverWeek(db, { week: isoWeekLabel(now), email: host.email, name: host.name, channel: h.channel, theme: 'En vecka på stadens kundtjänst' }, actor, now);
}
