import { asc, desc, eq, gt } from 'drizzle-orm';
import type { Db } from '../client';
import { publicRecords, registerAnchors, registerChain } from '../schema/register';
import { recordHash } from './canonical';
import { writeAnchor } from './verify';

export type AnchorResult =
  | { ok: true; lastRecordId: number | null; lastRecordSha256: string | null; records: number; newRecords: number }
  | { ok: false; message: string };

const BATCH = 5000;

/**
 * Writes the chain head as an anchor (register_anchors), after checking what was added since the last anchor: that
 * anchored record still has its hash, and every newer record is correctly hashed and linked up to the head. Cost grows
 * with the new records only, so it can run every hour on a register of millions; the full walk stays `register
 * verify`. Nothing is anchored when the check fails: an anchor must never bless a broken chain. One snapshot
 * (repeatable read), so records inserted meanwhile wait for the next anchor.
 */
export async function anchorChainHead(db: Db): Promise<AnchorResult> {
  return db.transaction(
    async (tx) => {
      const [last] = await tx.select().from(registerAnchors).orderBy(desc(registerAnchors.id)).limit(1);
      const [head] = await tx.select().from(registerChain).where(eq(registerChain.id, 1));
      if (!head) return { ok: false, message: 'Kedjans huvud saknas.' };
      let prevHash: string | null = null;
      let after = 0;
      if (last?.lastRecordId != null) {
        const [anchored] = await tx.select().from(publicRecords).where(eq(publicRecords.id, last.lastRecordId));
        if (!anchored || anchored.recordSha256 !== last.lastRecordSha256 || recordHash(anchored) !== anchored.recordSha256)
          return { ok: false, message: `Posten ${last.lastRecordId} från förra ankaret saknas eller har ändrats.` };
        prevHash = anchored.recordSha256;
        after = anchored.id;
      }
      let newRecords = 0;
      for (;;) {
        const rows = await tx.select().from(publicRecords).where(gt(publicRecords.id, after)).orderBy(asc(publicRecords.id)).limit(BATCH);
        for (const r of rows) {
          if (r.recordSha256 !== recordHash(r)) return { ok: false, message: `Posten ${r.registrationNumber ?? r.id} har ändrats.` };
          if ((r.prevRecordSha256 ?? null) !== prevHash) return { ok: false, message: `Kedjan är bruten före posten ${r.registrationNumber ?? r.id}.` };
          prevHash = r.recordSha256;
          after = r.id;
          newRecords++;
        }
        if (rows.length < BATCH) break;
      }
      const lastId = after === 0 ? null : after;
      if ((head.lastRecordId ?? null) !== lastId || (head.lastRecordSha256 ?? null) !== prevHash)
        return { ok: false, message: `Kedjans huvud (post ${head.lastRecordId ?? '–'}) stämmer inte med den sista posten (${lastId ?? '–'}).` };
      const expected = (last?.recordCount ?? 0) + newRecords;
      if (last && head.recordCount !== expected) return { ok: false, message: `Kedjans huvud räknar ${head.recordCount} poster, ankaret och de nya ger ${expected}.` };
      const result = { lastRecordId: lastId, lastRecordSha256: prevHash, records: head.recordCount };
      await writeAnchor(tx, result);
      return { ok: true, ...result, newRecords };
    },
    { isolationLevel: 'repeatable read' },
  );
}
