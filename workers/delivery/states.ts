/**
 * The delivery lifecycle's state machine: every allowed change of a delivery's state, in one table. Every write of
 * deliveries.state goes through the functions below (db/queries/deliveries.ts leaves `state` out of DeliveryPatch, and
 * its state writes take the allowed from-states as an argument, which only this module derives). A refused transition
 * throws IllegalTransitionError before anything is written.
 *
 * Staying in the same state is not a transition: the functions then write the patch without touching the state.
 */
import type { SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { Delivery, DeliveryRemoval, DeliveryState, RemovalState } from '../../db/schema';
import { updateRemovalState, type RemovalPatch } from '../../db/queries/removals';
import {
  deliveryStateUpdateSql,
  insertDeliveries,
  patchDelivery,
  deliveryUpdateSql,
  updateChannelDeliveriesState,
  updateDelivery,
  updateDeliveryState,
  type DeliveryPatch,
  type NewDelivery,
} from '../../db/queries/deliveries';

/**
 * from → the states it may move to. Why each exists:
 * - draft: scheduled or sent now; cancelled.
 * - scheduled/queued: rescheduled either way; claimed by a worker (publishing); held when the channel needs sign-in;
 *   cancelled; failed/unconfirmed by the give-up clock; published by a late result of an attempt taken over earlier.
 * - publishing: back to queued (retry, not due, the lost attempt must settle, the sweeper's repair); held, failed,
 *   unconfirmed, published by the attempt's outcome; cancelled (the task re-checks before it sends).
 * - held: released (scheduled/queued); cancelled; published by a late result.
 * - cancelled: published when a lookup finds the post came out anyway; unconfirmed when that lookup never decides.
 * - failed: retried by a person (queued); published by a late result.
 * - unconfirmed: a person checked the platform: published, or failed.
 * - published: final. A public record exists for it and is never changed.
 */
export const deliveryTransitions = {
  draft: ['scheduled', 'queued', 'cancelled'],
  // draft: an approved post edited before it went out goes back to review (ADR 030), its job removed.
  scheduled: ['draft', 'queued', 'publishing', 'held', 'cancelled', 'failed', 'unconfirmed', 'published'],
  queued: ['draft', 'scheduled', 'publishing', 'held', 'cancelled', 'failed', 'unconfirmed', 'published'],
  publishing: ['queued', 'held', 'cancelled', 'failed', 'unconfirmed', 'published'],
  held: ['scheduled', 'queued', 'cancelled', 'published'],
  cancelled: ['unconfirmed', 'published'],
  failed: ['queued', 'published'],
  unconfirmed: ['failed', 'published'],
  published: [],
} as const satisfies Record<DeliveryState, readonly DeliveryState[]>;

/** The states a delivery may be created in. */
export const initialDeliveryStates = ['draft', 'scheduled', 'queued'] as const satisfies readonly DeliveryState[];

/** A write that the transition table does not allow (a bug, or a row that changed under a stale copy). */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'illegal_transition';
  constructor(
    readonly deliveryId: string | null,
    readonly from: DeliveryState | null,
    readonly to: DeliveryState,
  ) {
    super(`delivery ${deliveryId ?? '(new)'}: ${from ?? 'creation'} → ${to} is not an allowed transition`);
  }
}

export function canTransition(from: DeliveryState, to: DeliveryState): boolean {
  return (deliveryTransitions[from] as readonly DeliveryState[]).includes(to);
}

/** Every state that may move to `to`, derived from the table (the WHERE of state writes). */
export function statesLeadingTo(to: DeliveryState): DeliveryState[] {
  return (Object.keys(deliveryTransitions) as DeliveryState[]).filter((from) => canTransition(from, to));
}

export function assertTransition(d: Pick<Delivery, 'id' | 'state'>, to: DeliveryState): void {
  if (d.state !== to && !canTransition(d.state, to)) throw new IllegalTransitionError(d.id, d.state, to);
}

/**
 * The statement that moves one delivery (locked by the caller, so `d.state` is current) to `to` with the patch, for
 * the worker's one-statement writes. Its WHERE also requires the from-state, so it cannot apply to another state.
 */
export function transitionSql(d: Pick<Delivery, 'id' | 'state'>, to: DeliveryState, patch: DeliveryPatch = {}): SQL {
  if (d.state === to) return deliveryUpdateSql(d.id, patch);
  assertTransition(d, to);
  return deliveryStateUpdateSql(d.id, [d.state], to, patch);
}

/** Moves one delivery (locked by the caller) to `to`, without reading it back (the worker keeps its own copy). */
export async function transition(db: DbOrTx, d: Pick<Delivery, 'id' | 'state'>, to: DeliveryState, patch: DeliveryPatch = {}): Promise<void> {
  if (d.state === to) {
    await patchDelivery(db, d.id, patch);
    return;
  }
  await transitionReturning(db, d, to, patch);
}

/** Moves one delivery (locked by the caller) to `to`; returns the updated row. */
export async function transitionReturning(db: DbOrTx, d: Pick<Delivery, 'id' | 'state'>, to: DeliveryState, patch: DeliveryPatch = {}): Promise<Delivery> {
  if (d.state === to) return updateDelivery(db, d.id, patch);
  assertTransition(d, to);
  const row = await updateDeliveryState(db, d.id, [d.state], to, patch);
  // The row was not in the state the caller's copy says: it changed under a stale copy.
  if (!row) throw new IllegalTransitionError(d.id, d.state, to);
  return row;
}

/**
 * Moves a channel's deliveries that are in one of `from` to `to`, in one UPDATE whose WHERE is restricted to the
 * from-states the table allows. Asking for a from-state the table refuses throws. Returns the ids moved.
 */
export async function transitionChannelDeliveries(
  db: DbOrTx,
  channelId: string,
  from: readonly DeliveryState[],
  to: DeliveryState,
  patch: DeliveryPatch = {},
): Promise<string[]> {
  const refused = from.find((s) => !canTransition(s, to));
  if (refused) throw new IllegalTransitionError(null, refused, to);
  const allowed = statesLeadingTo(to).filter((s) => from.includes(s));
  return updateChannelDeliveriesState(db, channelId, allowed, to, patch);
}

/** Creates deliveries; each must start in one of the initial states. */
export async function createDeliveries(db: DbOrTx, rows: (NewDelivery & { state: DeliveryState })[]): Promise<Delivery[]> {
  for (const r of rows) {
    if (!(initialDeliveryStates as readonly DeliveryState[]).includes(r.state)) throw new IllegalTransitionError(null, null, r.state);
  }
  return insertDeliveries(db, rows);
}

/**
 * "Delete from platform" (delivery_removals, ADR 039) has a lifecycle of its own beside the published delivery,
 * which stays published (its public record is never changed):
 * - requested: the deletion event is registered and the job queued; the platform has not confirmed.
 * - removed: the platform confirmed (or the post was already gone). Final.
 * - failed: the platform refused; a person may ask again (a new registered event).
 */
export const removalTransitions = {
  requested: ['removed', 'failed'],
  failed: ['requested'],
  removed: [],
} as const satisfies Record<RemovalState, readonly RemovalState[]>;

export class IllegalRemovalTransitionError extends Error {
  override readonly name = 'IllegalRemovalTransitionError';
  constructor(
    readonly deliveryId: string,
    readonly from: RemovalState,
    readonly to: RemovalState,
  ) {
    super(`removal of delivery ${deliveryId}: ${from} → ${to} is not an allowed transition`);
  }
}

export function canTransitionRemoval(from: RemovalState, to: RemovalState): boolean {
  return (removalTransitions[from] as readonly RemovalState[]).includes(to);
}

/** Moves a removal (locked by the caller) to `to`; the WHERE also requires its current state. */
export async function transitionRemoval(db: DbOrTx, r: Pick<DeliveryRemoval, 'deliveryId' | 'state'>, to: RemovalState, patch: RemovalPatch = {}): Promise<DeliveryRemoval> {
  if (!canTransitionRemoval(r.state, to)) throw new IllegalRemovalTransitionError(r.deliveryId, r.state, to);
  const row = await updateRemovalState(db, r.deliveryId, [r.state], to, patch);
  if (!row) throw new IllegalRemovalTransitionError(r.deliveryId, r.state, to);
  return row;
}
