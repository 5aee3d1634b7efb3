/**
 * Opens the worker's database connections and prepares the hot statements on each before the first job runs.
 *
 * Why: postgres.js opens a connection only when load needs it, and the hot statements are prepared per connection
 * (ADR 033). A quiet worker uses one or two connections; the first burst after it (a crisis message to every
 * channel, 200 deliveries due at once) would open the rest in the middle of the burst and pay, on each, for the
 * connection, a PostgreSQL backend with cold catalog caches and the first describe of every statement. Here it is
 * paid at start. The statements are the real claim and gate, run for a delivery that does not exist: they write
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { gateState } from '../../db/queries/deliveries';
import { onConnection, poolClientOf } from '../../db/queries/fast';
import type { WorkerDeps } from '../deps';
import { claimDelivery } from './claim';

export async function warmConnections(deps: WorkerDeps, count: number): Promise<void> {
  const client = poolClientOf(deps.db);
  // Reserved at once, so that each is a connection of its own rather than the same one reused.
  const reserved = await Promise.all(Array.from({ length: count }, () => client.reserve()));
  try {
    await Promise.all(
      reserved.map(async (connection) => {
        // The claim and the gate run through executeShaped, which is all this handle serves.
        const db = onConnection(connection) as Db;
        const nobody = randomUUID();
        await claimDelivery({ ...deps, db }, nobody);
        await gateState(db, nobody, 0);
      }),
    );
  } finally {
    for (const connection of reserved) connection.release();
  }
}
