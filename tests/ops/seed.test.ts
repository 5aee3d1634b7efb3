/**
 * The demo seed and the simulators' saved state (ADR 018): when the simulators came back with their state, a
 * channel keeps the credentials it has (a refresh or a new connection survives the restart) and only follows a
 * changed port; when they started empty, it gets the demo tokens back. Both are idempotent.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../app/demo/seed.server';
import { decryptCredentials, encryptCredentials } from '../../db/credentials';
import { channels } from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/db';

let t: TestDatabase;
const key = randomBytes(32);
const first = 'http://127.0.0.1:4010';

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, { simulatorUrl: first, credentialsKey: key });
});
afterAll(async () => {
  await t?.destroy();
});

async function xChannel() {
  const [row] = await t.db.select().from(channels).where(eq(channels.platform, 'x')).limit(1);
  if (!row) throw new Error('no X channel');
  return row;
}

describe('seedDemo and restored simulator state', () => {
  it('keeps rotated credentials and a needs-sign-in status when the state came back, following a new port', async () => {
    const row = await xChannel();
    const rotated = { accessToken: 'simx.rotated', refreshToken: 'simx.rotated-refresh', expiresAt: new Date().toISOString() };
    await t.db
      .update(channels)
      .set({ credentialsEncrypted: encryptCredentials(key, row.id, rotated), credentialStatus: 'needs_reauth', credentialError: 'Logga in igen' })
      .where(eq(channels.id, row.id));

    for (let run = 0; run < 2; run += 1) {
      await seedDemo(t.db, { simulatorUrl: 'http://127.0.0.1:4020', credentialsKey: key, simulatorsRestored: true });
    }
    const after = await xChannel();
    expect(decryptCredentials(key, after.id, after.credentialsEncrypted ?? '')).toEqual(rotated);
    expect(after).toMatchObject({ apiBaseUrl: 'http://127.0.0.1:4020/x', credentialStatus: 'needs_reauth', credentialError: 'Logga in igen' });
  });

  it('gives the demo tokens back when the simulators started empty', async () => {
    await seedDemo(t.db, { simulatorUrl: first, credentialsKey: key, simulatorsRestored: false });
    const after = await xChannel();
    const creds = decryptCredentials(key, after.id, after.credentialsEncrypted ?? '') as { accessToken: string };
    expect(creds.accessToken).not.toBe('simx.rotated');
    expect(after).toMatchObject({ apiBaseUrl: `${first}/x`, credentialStatus: 'ok', credentialError: null });
  });
});
