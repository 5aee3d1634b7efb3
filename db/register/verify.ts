import { createHash } from 'node:crypto';
import { asc, eq, gt, sql } from 'drizzle-orm';
import { mediaStore } from '../../common/media-store.server';
import type { DbOrTx } from '../client';
import { postMedia } from '../schema/publishing';
import { publicRecords, registerAnchors, registerChain, registerDestructions, registerSeries, type PublicRecord } from '../schema/register';
import { canonicalJson } from '../../common/canonical-json';
import { contentHash, destroyedContent, isDestroyedContent, recordHash } from './canonical';

export interface BrokenRecord {
  id: number | null;
  registrationNumber: string | null;
  /** Machine-readable reason; the message says it in Swedish for the registrar. */
  problem:
    | 'record_hash'
    | 'content_hash'
    | 'chain_link'
    | 'number_gap'
    | 'head_mismatch'
    | 'count_mismatch'
    | 'series_counter'
    | 'anchor_missing'
    | 'media_hash'
    | 'destruction';
  message: string;
}

/** A record whose content was destroyed (gallrad) under a registered decision; its entry and hashes remain. */
export interface DestroyedRecord {
  id: number;
  registrationNumber: string | null;
  decisionRecordId: number;
  decisionNumber: string | null;
  destroyedAt: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  lastRecordId: number | null;
  lastRecordSha256: string | null;
  /** The first problem found, walking in chain order. */
  firstBroken: BrokenRecord | null;
  /** Records destroyed under a decision, in chain order (those walked before a break, if broken). */
  destroyed: DestroyedRecord[];
}

const BATCH = 5000;

/**
 * Walks the whole chain: each record's own hash, its content hash, its link to the one before, the gap-free numbers
 * in each series and year, the chain head and the anchors written earlier (which is how records removed from the end
 * show), and the stored media files' hashes.
 *
 * The walk reads the records, the series counters and the chain head at different moments; while the worker keeps
 * registering, a record added between those reads would look like a broken head or a missing record. So the walk runs
 * in one read-only REPEATABLE READ transaction: everything it reads is the same snapshot. (Given a transaction, it
 * reads in that transaction's snapshot.)
 */
export async function verifyRegister(db: DbOrTx): Promise<VerifyResult> {
  if ('rollback' in db) return walkRegister(db);
  return db.transaction((tx) => walkRegister(tx), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

async function walkRegister(db: DbOrTx): Promise<VerifyResult> {
  let prev: PublicRecord | null = null;
  let count = 0;
  const seqs = new Map<string, number[]>();
  const hashById = new Map<number, string>();
  const destructionRows = await db.select().from(registerDestructions);
  const destructions = new Map(destructionRows.map((d) => [d.recordId, d]));
  const byDecision = new Map<number, typeof destructionRows>();
  for (const d of destructionRows) byDecision.set(d.decisionRecordId, [...(byDecision.get(d.decisionRecordId) ?? []), d]);
  /** Destroyed records walked so far, kept until their decision is walked; and the decisions walked. */
  const destroyedSeen = new Map<number, { registrationNumber: string | null; content: unknown }>();
  const decisionsSeen = new Set<number>();
  const destroyed: DestroyedRecord[] = [];
  const broken = (r: PublicRecord | null, problem: BrokenRecord['problem'], message: string): VerifyResult => ({
    ok: false,
    records: count,
    lastRecordId: prev?.id ?? null,
    lastRecordSha256: prev?.recordSha256 ?? null,
    firstBroken: { id: r?.id ?? null, registrationNumber: r?.registrationNumber ?? null, problem, message },
    destroyed,
  });

  for (let after = 0; ; ) {
    const rows = await db.select().from(publicRecords).where(gt(publicRecords.id, after)).orderBy(asc(publicRecords.id)).limit(BATCH);
    if (rows.length === 0) break;
    for (const r of rows) {
      count++;
      if (r.recordSha256 !== recordHash(r)) return broken(r, 'record_hash', `Posten ${r.registrationNumber ?? r.id} har ändrats: dess hash stämmer inte med innehållet.`);
      const destruction = destructions.get(r.id);
      if (destruction) {
        // Destroyed: the content is gone by decision, the kept hash is what the record's own hash covers.
        const label = r.registrationNumber ?? r.id;
        if (destruction.decisionRecordId <= r.id)
          return broken(r, 'destruction', `Posten ${label} är gallrad under ett beslut som inte registrerades efter den.`);
        if (destruction.contentSha256 !== r.contentSha256) return broken(r, 'destruction', `Gallringen av posten ${label} har inte kvar postens innehållshash.`);
        if (!isDestroyedContent(r.content))
          return broken(r, 'destruction', `Posten ${label} står som gallrad men har kvar sitt innehåll.`);
        destroyedSeen.set(r.id, { registrationNumber: r.registrationNumber, content: r.content });
      } else if (r.contentSha256 !== contentHash(r.content)) return broken(r, 'content_hash', `Innehållet i posten ${r.registrationNumber ?? r.id} har ändrats.`);
      if ((r.prevRecordSha256 ?? null) !== (prev?.recordSha256 ?? null))
        return broken(r, 'chain_link', `Kedjan är bruten före posten ${r.registrationNumber ?? r.id}: en post har tagits bort eller flyttats.`);
      const key = `${r.series}\u0000${r.year}`;
      const list = seqs.get(key) ?? [];
      list.push(r.seq ?? -1);
      seqs.set(key, list);
      hashById.set(r.id, r.recordSha256);
      for (const d of byDecision.get(r.id) ?? []) {
        // The decision is walked after the records it names: now it can be checked that it names them.
        decisionsSeen.add(r.id);
        const target = destroyedSeen.get(d.recordId);
        if (!target) return broken(r, 'destruction', `Beslutet ${r.registrationNumber ?? r.id} gallrade post ${d.recordId}, som saknas före beslutet.`);
        const named = (r.content as { recordIds?: unknown }).recordIds;
        if (r.kind !== 'destruction_decision' || !Array.isArray(named) || !named.includes(d.recordId))
          return broken(r, 'destruction', `Posten ${target.registrationNumber ?? d.recordId} är gallrad under ${r.registrationNumber ?? r.id}, som inte är ett beslut om att gallra den.`);
        if (canonicalJson(target.content) !== canonicalJson(destroyedContent(r)))
          return broken(r, 'destruction', `Posten ${target.registrationNumber ?? d.recordId} är gallrad men dess innehåll pekar inte på beslutet ${r.registrationNumber ?? r.id}.`);
        destroyed.push({ id: d.recordId, registrationNumber: target.registrationNumber, decisionRecordId: r.id, decisionNumber: r.registrationNumber, destroyedAt: d.destroyedAt.toISOString() });
      }
      prev = r;
    }
    after = rows[rows.length - 1]!.id;
  }

  const counters = await db.select().from(registerSeries);
  for (const [key, list] of seqs) {
    const [series, year] = key.split('\u0000');
    const sorted = [...list].sort((a, b) => a - b);
    const gap = sorted.findIndex((s, i) => s !== i + 1);
    if (gap !== -1) return broken(null, 'number_gap', `Nummerserien ${series} ${year} har en lucka vid nummer ${gap + 1}: en post saknas.`);
    const counter = counters.find((c) => c.series === series && String(c.year) === year);
    if (!counter || counter.lastSeq !== sorted.length)
      return broken(null, 'series_counter', `Nummerserien ${series} ${year} har delat ut ${counter?.lastSeq ?? 0} nummer men ${sorted.length} poster finns: poster saknas i slutet.`);
  }
  for (const c of counters) {
    if (c.lastSeq > 0 && !seqs.has(`${c.series}\u0000${c.year}`))
      return broken(null, 'series_counter', `Nummerserien ${c.series} ${c.year} har delat ut ${c.lastSeq} nummer men inga poster finns.`);
  }

  const [head] = await db.select().from(registerChain).where(eq(registerChain.id, 1));
  if (head && (head.lastRecordId ?? null) !== (prev?.id ?? null))
    return broken(null, 'head_mismatch', `Kedjans huvud pekar på post ${head.lastRecordId} men den sista posten är ${prev?.id ?? 'ingen'}: poster har tagits bort i slutet.`);
  if (head && (head.lastRecordSha256 ?? null) !== (prev?.recordSha256 ?? null))
    return broken(null, 'head_mismatch', 'Kedjans huvud har en annan hash än den sista posten.');
  if (head && head.recordCount !== count) return broken(null, 'count_mismatch', `Registret ska ha ${head.recordCount} poster men har ${count}.`);

  const anchors = await db.select().from(registerAnchors).orderBy(asc(registerAnchors.id));
  for (const a of anchors) {
    if (a.lastRecordId !== null && hashById.get(a.lastRecordId) !== a.lastRecordSha256)
      return broken(null, 'anchor_missing', `Ankaret från ${a.writtenAt.toISOString()} nämner post ${a.lastRecordId}, som saknas eller har ändrats.`);
    if (a.recordCount > count) return broken(null, 'anchor_missing', `Ankaret från ${a.writtenAt.toISOString()} räknade ${a.recordCount} poster; nu finns ${count}.`);
  }

  // Media that records name by hash must still hash to that value where the file is kept.
  const bad = await db.execute<{ id: string; sha256: string }>(
    sql`select ${postMedia.id} as id, ${postMedia.sha256} as sha256 from ${postMedia} where encode(sha256(${postMedia.data}), 'hex') <> ${postMedia.sha256} limit 1`,
  );
  const badRow = [...bad][0];
  if (badRow) return broken(null, 'media_hash', `Mediefilen ${badRow.id} stämmer inte med sin hash ${badRow.sha256}.`);
  // Media in the store (ADR 022): each distinct file once, streamed through the hash.
  const storedFiles = await db.execute<{ sha256: string; id: string }>(
    sql`select distinct on (${postMedia.sha256}) ${postMedia.sha256} as sha256, ${postMedia.id} as id from ${postMedia} where ${postMedia.stored}`,
  );
  for (const f of storedFiles) {
    const opened = await mediaStore().open(f.sha256);
    if (!opened) return broken(null, 'media_hash', `Mediefilen ${f.id} saknas i mediearkivet (${f.sha256}).`);
    const hash = createHash('sha256');
    for await (const chunk of opened.stream) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== f.sha256) return broken(null, 'media_hash', `Mediefilen ${f.id} stämmer inte med sin hash ${f.sha256}.`);
  }

  const orphan = destructionRows.find((d) => !decisionsSeen.has(d.decisionRecordId) || !destroyedSeen.has(d.recordId));
  if (orphan) return broken(null, 'destruction', `Gallringen av post ${orphan.recordId} hänvisar till ett beslut eller en post som saknas.`);
  destroyed.sort((a, b) => a.id - b.id);

  return { ok: true, records: count, lastRecordId: prev?.id ?? null, lastRecordSha256: prev?.recordSha256 ?? null, firstBroken: null, destroyed };
}

/** Writes the current chain head as an anchor (append-only): later removal from the end cannot go unnoticed. */
export async function writeAnchor(db: DbOrTx, result: Pick<VerifyResult, 'lastRecordId' | 'lastRecordSha256' | 'records'>): Promise<void> {
  await db.insert(registerAnchors).values({ lastRecordId: result.lastRecordId, lastRecordSha256: result.lastRecordSha256, recordCount: result.records });
}
