/** Writes to public_records (append-only: numbered and chained by its insert trigger, migration 0003). */
import type { DbOrTx } from '../client';
import { publicRecords } from '../schema';
import { insertRow, insertRowSql } from './fast';

export type NewPublicRecord = typeof publicRecords.$inferInsert;

export async function insertPublicRecord(db: DbOrTx, values: NewPublicRecord): Promise<void> {
  await insertRow(db, publicRecords, values);
}

export function publicRecordInsertSql(values: NewPublicRecord) {
  return insertRowSql(publicRecords, values);
}
