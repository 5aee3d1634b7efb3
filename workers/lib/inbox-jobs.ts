/** Jobs the inbox's use-cases enqueue inside their own transaction (exported to the web app via workers/delivery). */
import { enqueue } from '../delivery/jobs';
import type { DbOrTx } from '../../db/client';

/** The platform call of a hide/delete, after its record is registered (ADR 032). One job per item (same key). */
export async function enqueueModeration(db: DbOrTx, itemId: string): Promise<void> {
  await enqueue(db, 'inbox__moderate', { itemId });
}
