import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { auditLog } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

describe('audit log', () => {
  it('records entries and refuses to change or delete them', async () => {
    await recordAudit(t.db, { actorUserId: null, actorLabel: 'system', action: 'test.run', objectType: 'test', objectId: '1' });
    const [row] = await t.db.select().from(auditLog).where(eq(auditLog.action, 'test.run'));
    expect(row?.actorLabel).toBe('system');
    await expect(t.db.update(auditLog).set({ action: 'changed' }).where(eq(auditLog.id, row!.id))).rejects.toThrow();
    await expect(t.db.delete(auditLog).where(eq(auditLog.id, row!.id))).rejects.toThrow();
    await expect(t.sql`truncate audit_log`).rejects.toThrow(/permission denied/);
    // The trigger holds even for the owner, who has the privilege.
    await expect(t.owner.sql`truncate audit_log`).rejects.toThrow(/append-only/);
    const [still] = await t.db.select().from(auditLog).where(eq(auditLog.id, row!.id));
    expect(still?.action).toBe('test.run');
  });
});
