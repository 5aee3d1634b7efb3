/** Queries of long register exports (register_exports, migration 0013, ADR 036). Handle first, as everywhere. */
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { registerExports, type RegisterExport } from '../schema';

export async function insertRegisterExport(db: DbOrTx, values: typeof registerExports.$inferInsert): Promise<RegisterExport> {
  const [row] = await db.insert(registerExports).values(values).returning();
  if (!row) throw new Error('register export not inserted');
  return row;
}

/** An export, only for the user who asked for it (another user's id is as unknown as a made-up one). */
export async function findOwnRegisterExport(db: DbOrTx, id: string, userId: string): Promise<RegisterExport | null> {
  const [row] = await db
    .select()
    .from(registerExports)
    .where(and(eq(registerExports.id, id), eq(registerExports.requestedBy, userId)));
  return row ?? null;
}
