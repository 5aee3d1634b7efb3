import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client';
import { publicRecords, recordKinds, registerDestructions, registerRetentionClasses, type PublicRecord, type RecordKind, type RegisterDestruction } from '../schema/register';
import { contentHash } from './canonical';

/** Why utrop_register_destroy refused (migration 0004 raises these SQLSTATEs). */
export const destructionRefusals = {
  UT001: 'not_a_decision',
  UT002: 'not_named',
  UT003: 'not_registered_before',
  UT004: 'register_own_record',
  UT005: 'already_destroyed',
  UT006: 'kept_forever',
  UT007: 'retention_not_elapsed',
} as const;
export type DestructionRefusal = (typeof destructionRefusals)[keyof typeof destructionRefusals];

export class DestructionRefusedError extends Error {
  constructor(
    readonly reason: DestructionRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'DestructionRefusedError';
  }
}

/** The PostgreSQL error under drizzle's wrapper, if any. */
function pgError(e: unknown): { code?: string; message?: string } | null {
  for (let cur: unknown = e; cur && typeof cur === 'object'; cur = (cur as { cause?: unknown }).cause) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code in destructionRefusals) return cur as { code: string; message: string };
  }
  return null;
}

/**
 * Destroys the content of one record under a registered decision (utrop_register_destroy, which runs as the owner and
 * checks the decision and the record's retention class). The record's entry, number and hashes stay.
 */
export async function destroyRecord(db: DbOrTx, recordId: number, decisionRecordId: number): Promise<RegisterDestruction> {
  try {
    await db.execute(sql`select utrop_register_destroy(${recordId}::bigint, ${decisionRecordId}::bigint)`);
  } catch (e) {
    const pg = pgError(e);
    if (pg) throw new DestructionRefusedError(destructionRefusals[pg.code as keyof typeof destructionRefusals], pg.message ?? 'refused');
    throw e;
  }
  const [row] = await db.select().from(registerDestructions).where(eq(registerDestructions.recordId, recordId));
  return row!;
}

export interface DestructionDecisionInput {
  recordIds: number[];
  /** The legal ground: the section of the document management plan or the archive authority's regulation. */
  basis: string;
  /** Who decided (name or office), registered as the decision's counterparty. */
  decidedBy: string;
  exercise?: boolean;
}

/**
 * Registers a destruction decision (gallringsbeslut) as a record of its own and destroys the records it names, in one
 * transaction: either the decision and every destruction it orders are registered, or nothing is (ADR 029).
 */
export async function decideDestruction(db: Db, input: DestructionDecisionInput): Promise<{ decision: PublicRecord; destroyed: RegisterDestruction[] }> {
  const recordIds = [...new Set(input.recordIds)].sort((a, b) => a - b);
  return db.transaction(async (tx) => {
    const targets = recordIds.length
      ? await tx.select({ id: publicRecords.id, number: publicRecords.registrationNumber }).from(publicRecords).where(inArray(publicRecords.id, recordIds)).orderBy(asc(publicRecords.id))
      : [];
    const numbers = targets.map((r) => r.number ?? String(r.id));
    const content = {
      text: `Beslut om gallring av ${recordIds.length} poster (${numbers.join(', ')}). Grund: ${input.basis}`,
      recordIds,
      basis: input.basis,
    };
    const [decision] = await tx
      .insert(publicRecords)
      .values({
        kind: 'destruction_decision',
        direction: 'internal',
        counterparty: input.decidedBy,
        summary: `Gallringsbeslut: ${recordIds.length} poster`,
        exercise: input.exercise ?? false,
        content,
        contentSha256: contentHash(content),
      })
      .returning();
    const destroyed: RegisterDestruction[] = [];
    for (const id of recordIds) destroyed.push(await destroyRecord(tx, id, decision!.id));
    return { decision: decision!, destroyed };
  });
}

/**
 * Sets the retention class of a record kind (keepYears null: forever) and registers the change as a note, so the
 * register shows under which rules it was kept.
 */
export async function setRetentionClass(db: Db, input: { kind: RecordKind; keepYears: number | null; basis: string; changedBy: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(registerRetentionClasses)
      .values({ kind: input.kind, keepYears: input.keepYears, basis: input.basis })
      .onConflictDoUpdate({ target: registerRetentionClasses.kind, set: { keepYears: input.keepYears, basis: input.basis, updatedAt: sql`now()` } });
    const keep = input.keepYears === null ? 'bevaras' : `gallras efter ${input.keepYears} år`;
    const content = { text: `Gallringsklass för ${input.kind}: ${keep}. Grund: ${input.basis}`, kind: input.kind, keepYears: input.keepYears, basis: input.basis };
    await tx.insert(publicRecords).values({
      kind: 'register_note',
      direction: 'internal',
      counterparty: input.changedBy,
      summary: `Gallringsklass ändrad: ${input.kind}`,
      content,
      contentSha256: contentHash(content),
    });
  });
}

/** Every kind's retention: configured classes, the rest kept forever. */
export async function retentionClasses(db: DbOrTx): Promise<{ kind: RecordKind; keepYears: number | null; basis: string | null }[]> {
  const rows = await db.select().from(registerRetentionClasses);
  const byKind = new Map(rows.map((r) => [r.kind, r]));
  return recordKinds.map((kind) => ({ kind, keepYears: byKind.get(kind)?.keepYears ?? null, basis: byKind.get(kind)?.basis ?? null }));
}

export interface DestructionCandidate {
  id: number;
  registrationNumber: string | null;
  kind: RecordKind;
  recordDate: Date | null;
  summary: string;
  keepYears: number;
}

/**
 * Records whose retention period has run out (the rule utrop_register_destroy applies, migration 0004): a class with
 * keep_years, record_date + keep_years ≤ now, not destroyed, not the register's own. Oldest first. Nothing is
 * destroyed here: the list is what a registrar may put in a decision.
 */
export async function destructionCandidates(db: DbOrTx, now: Date, limit = 200): Promise<DestructionCandidate[]> {
  const rows = await db.execute<{ id: string; registration_number: string | null; kind: RecordKind; record_date: Date | null; summary: string; keep_years: number }>(sql`
    select r.id, r.registration_number, r.kind, r.record_date, r.summary, c.keep_years
    from public_records r
    join register_retention_classes c on c.kind = r.kind and c.keep_years is not null
    where r.kind not in ('destruction_decision', 'register_note')
      and r.record_date + make_interval(years => c.keep_years) <= ${now.toISOString()}::timestamptz
      and not exists (select 1 from register_destructions d where d.record_id = r.id)
    order by r.record_date, r.id
    limit ${limit}`);
  return [...rows].map((r) => ({
    id: Number(r.id),
    registrationNumber: r.registration_number,
    kind: r.kind,
    recordDate: r.record_date ? new Date(r.record_date) : null,
    summary: r.summary,
    keepYears: r.keep_years,
  }));
}
