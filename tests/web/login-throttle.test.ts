import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { authenticate, createUser } from '../../app/models/users.server';

let t: TestDatabase;
const email = 'agnes.agare@example.se';
const password = 'ratt-losenord-2026';

beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { email, name: 'Agnes Ägare', role: 'communications', password }, { userId: null, label: 'test' });
});
afterAll(async () => {
  await t.destroy();
});

describe('login throttling (no lock-out of the real owner)', () => {
  it('after an attacker’s 10 failures from one address, the owner still signs in from another', async () => {
    const now = new Date();
    for (let i = 0; i < 10; i++) await authenticate(t.db, { email, password: `fel-${i}-losenord`, ip: '203.0.113.66' }, now);
    // The attacker now waits, growing with each failure past the free five.
    const attacker = await authenticate(t.db, { email, password, ip: '203.0.113.66' }, now);
    expect(attacker).toMatchObject({ ok: false, reason: 'throttled' });
    expect(attacker.ok === false && attacker.reason === 'throttled' && attacker.retryAfterSeconds).toBeGreaterThan(1);
    // The owner, elsewhere, at the same instant: in at once.
    const owner = await authenticate(t.db, { email, password, ip: '198.51.100.7' }, now);
    expect(owner.ok).toBe(true);
  });

  it('the wait ends: once it has passed, the right password works from the attacker’s address too', async () => {
    const start = new Date();
    const ip = '203.0.113.99';
    const other = 'bertil.b@example.se';
    await createUser(t.db, { email: other, name: 'Bertil B', role: 'registrar', password }, { userId: null, label: 'test' });
    for (let i = 0; i < 7; i++) await authenticate(t.db, { email: other, password: 'fel-losenord-xx', ip }, start);
    const first = await authenticate(t.db, { email: other, password, ip }, start);
    const wait = first.ok === false && first.reason === 'throttled' ? first.retryAfterSeconds : 0;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    const later = await authenticate(t.db, { email: other, password, ip }, new Date(Date.now() + (wait + 1) * 1000));
    expect(later.ok).toBe(true);
  });
});
