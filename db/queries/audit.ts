/**
 * The one audit writer. Every entry of audit_log (append-only) is written through auditSql: recordAudit runs it on
 * its own, and the worker's hot path puts it into one multi-statement write with the change it records
 * (db/queries/fast.ts executeAll). Either way, call it inside the same transaction as the change, so neither exists
 * without the other.
 */
import type { SQL } from 'drizzle-orm';
import { auditLog } from '../schema';
import type { DbOrTx } from '../client';
import { insertRowSql } from './fast';

export interface AuditInput {
  actorUserId: string | null;
  /** "user" when a signed-in user acted; otherwise "cli", "worker", "system". */
  actorLabel: string;
  action: string;
  objectType: string;
  objectId: string | null;
  details?: Record<string, unknown>;
}

/** The INSERT of one audit entry, to run with other statements. */
export function auditSql(entry: AuditInput): SQL {
  return insertRowSql(auditLog, { ...entry, details: entry.details ?? {} });
}

export async function recordAudit(db: DbOrTx, entry: AuditInput): Promise<void> {
  await db.execute(auditSql(entry));
}
