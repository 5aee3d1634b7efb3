import { auditLog } from '../schema';
import type { DbOrTx } from '../client';

export interface AuditInput {
  actorUserId: string | null;
  /** "user" when a signed-in user acted; otherwise "cli", "worker", "system". */
  actorLabel: string;
  action: string;
  objectType: string;
  objectId: string | null;
  details?: Record<string, unknown>;
}

/** Call inside the same transaction as the change it records, so neither exists without the other. */
export async function recordAudit(db: DbOrTx, entry: AuditInput): Promise<void> {
  await db.insert(auditLog).values({ ...entry, details: entry.details ?? {} });
}
