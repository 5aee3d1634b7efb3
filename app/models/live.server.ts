/**
 * The states the live pages show (ADR 039): one read per page, used both by its loader (the page without
 * JavaScript, or a reload) and by its event stream (app/utils/sse.server.ts), so both show the same thing.
 * Everything is plain JSON (times as ISO strings): the stream sends exactly what the loader returns.
 */
import type { DbOrTx } from '../../db/client';
import type { Delivery, DeliveryState } from '../../db/schema';
import { listRemovals } from '../../db/queries/removals';
import { findChannelsByIds } from '../../db/queries/channels';
import { getPostWithDeliveries } from './posts.server';
import { getIncident } from './crisis.server';

/** Seconds from "Publicera" to published, to a tenth; null until published. */
export function secondsToPublished(start: Date | null, publishedAt: Date | null): number | null {
  if (!start || !publishedAt) return null;
  return Math.max(0, Math.round((publishedAt.getTime() - start.getTime()) / 100) / 10);
}

export interface LiveDelivery {
  id: string;
  channel: string;
  platform: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  permalink: string | null;
  error: string | null;
  heldByScreening: boolean;
  publishedAt: string | null;
  seconds: number | null;
  removal: { state: 'requested' | 'removed' | 'failed'; reason: string; error: string | null; removedAt: string | null } | null;
}

export interface PostLiveState {
  createdBy: string | null;
  deliveries: LiveDelivery[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The post page's deliveries. "Publicera" is when the delivery became due: its time, or the approval when that
 * came later (an approved post whose time had passed goes out at once).
 */
export async function postLiveState(db: DbOrTx, postId: string): Promise<PostLiveState | null> {
  const view = await getPostWithDeliveries(db, postId);
  if (!view) return null;
  const removals = await listRemovals(db, view.deliveries.map((d) => d.id));
  const approvedAt = view.post.approvedAt;
  return {
    createdBy: view.post.createdBy,
    deliveries: view.deliveries.map((d) => {
      const due = approvedAt && approvedAt > d.scheduledAt ? approvedAt : d.scheduledAt;
      const r = removals.find((x) => x.deliveryId === d.id);
      return {
        id: d.id,
        channel: d.channel.name,
        platform: d.channel.platform,
        state: d.state,
        attempts: d.attemptCount,
        nextAttemptAt: iso(d.nextAttemptAt),
        permalink: d.permalink,
        error: d.errorText,
        heldByScreening: d.state === 'held' && d.failureClass === 'invalid_content',
        publishedAt: iso(d.publishedAt),
        seconds: secondsToPublished(due, d.publishedAt),
        removal: r ? { state: r.state, reason: r.reason, error: r.error, removedAt: iso(r.removedAt) } : null,
      };
    }),
  };
}

export interface BoardCell {
  id: string;
  postId: string;
  channel: string;
  state: DeliveryState;
  permalink: string | null;
  error: string | null;
  seconds: number | null;
}

export interface IncidentBoard {
  messages: {
    id: string;
    seq: number;
    msgType: string;
    publishedAt: string;
    capIdentifier: string;
    variants: { language: string; text: string; registrationNumber: string | null; deliveries: BoardCell[] }[];
  }[];
}

/** The crisis status board: each message's channel × language cells, with the seconds since its "Publicera". */
export async function incidentBoard(db: DbOrTx, incidentId: string): Promise<IncidentBoard | null> {
  const view = await getIncident(db, incidentId);
  if (!view) return null;
  const all: Delivery[] = view.messages.flatMap((m) => m.variants.flatMap((v) => v.deliveries));
  const chans = await findChannelsByIds(db, [...new Set(all.map((d) => d.channelId))]);
  return {
    messages: view.messages.map((m) => ({
      id: m.id,
      seq: m.seq,
      msgType: m.msgType,
      publishedAt: m.publishedAt.toISOString(),
      capIdentifier: m.capIdentifier,
      variants: m.variants.map((v) => ({
        language: v.language,
        text: v.text,
        registrationNumber: v.registrationNumber,
        deliveries: v.deliveries.map((d) => ({
          id: d.id,
          postId: d.postId,
          channel: chans.find((c) => c.id === d.channelId)?.name ?? '',
          state: d.state,
          permalink: d.permalink,
          error: d.failureReason,
          seconds: secondsToPublished(m.publishedAt, d.publishedAt),
        })),
      })),
    })),
  };
}
