/**
 * The registrar's retention (gallring) use-cases on /diarium/gallring (ADR 029, 036): retention classes, the records
 * whose period has run out, and destruction decisions — each registered by db/register/retention.ts, all or nothing.
 */
import type { Db, DbOrTx } from '../../db/client';
import { decideDestruction, destructionCandidates, DestructionRefusedError, retentionClasses, setRetentionClass, type DestructionRefusal } from '../../db/register';
import { recordAudit } from '../../db/queries/audit';
import type { RecordKind } from '../../common/register';
import type { Actor } from '../../common/actor';

export async function retentionOverview(db: DbOrTx, now = new Date()) {
  const [classes, candidates] = await Promise.all([retentionClasses(db), destructionCandidates(db, now)]);
  return { classes, candidates };
}

export async function setRetention(db: Db, input: { kind: RecordKind; keepYears: number | null; basis: string }, actor: Actor & { name: string }): Promise<void> {
  await setRetentionClass(db, { ...input, changedBy: actor.name });
  await recordAudit(db, { actorUserId: actor.userId, actorLabel: actor.label, action: 'register.retention.set', objectType: 'record_kind', objectId: input.kind, details: { keepYears: input.keepYears, basis: input.basis } });
}

export type DestructionOutcome = { ok: true; decisionId: number; destroyed: number } | { ok: false; reason: DestructionRefusal; message: string };

/** Registers the decision and destroys what it names; a refusal registers nothing (the decision rolls back with its number). */
export async function decideDestructionFromConsole(db: Db, input: { recordIds: number[]; basis: string; decidedBy: string }, actor: Actor): Promise<DestructionOutcome> {
  try {
    const { decision, destroyed } = await decideDestruction(db, input);
    await recordAudit(db, { actorUserId: actor.userId, actorLabel: actor.label, action: 'register.destruction.decided', objectType: 'public_record', objectId: String(decision.id), details: { recordIds: input.recordIds, basis: input.basis } });
    return { ok: true, decisionId: decision.id, destroyed: destroyed.length };
  } catch (e) {
    if (e instanceof DestructionRefusedError) return { ok: false, reason: e.reason, message: e.message.split('\n')[0]! };
    throw e;
  }
}
