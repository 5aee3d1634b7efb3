/**
 * "Delete from platform" (ADR 039): the post page's use-case. The delivery module registers the deletion event,
 * writes the removal and queues the platform job in this one transaction (workers/delivery/removal.ts).
 */
import type { Db } from '../../db/client';
import { requestRemoval, RemovalRefused } from '../../workers/delivery/index';
import type { Actor } from '../../common/actor';

export { RemovalRefused };

export async function removeFromPlatform(db: Db, input: { deliveryId: string; reason: string; actor: Actor }) {
  return db.transaction((tx) => requestRemoval(tx, input));
}
