/**
 * E-mail notifications (ADR 043). recordNotification is called inside the transaction that records the event (a
 * crisis delivery failed, a channel needs re-authorisation, an inbox item passed its answer time): the row keyed by
 * the event and its notification__send job commit together with the event, or not at all. A second trigger of the
 * same event finds the row and adds nothing, so each event is mailed once.
 */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { channels, notifications, type Channel, type NotificationKind } from '../../db/schema';
import { enqueue } from './jobs';

/** The event's key: the kind and its subject, plus an episode where one subject can have the event again later. */
export function notificationKey(kind: NotificationKind, subjectId: string, episode?: string): string {
  return episode ? `${kind}:${subjectId}:${episode}` : `${kind}:${subjectId}`;
}

/** Returns true when this call recorded the event (and queued its mail), false when it was already recorded. */
export async function recordNotification(
  tx: DbOrTx,
  kind: NotificationKind,
  subjectId: string,
  details: Record<string, string>,
  episode?: string,
): Promise<boolean> {
  const eventKey = notificationKey(kind, subjectId, episode);
  const inserted = await tx
    .insert(notifications)
    .values({ eventKey, kind, subjectId, details })
    .onConflictDoNothing({ target: notifications.eventKey })
    .returning({ eventKey: notifications.eventKey });
  if (inserted.length === 0) return false;
  await enqueue(tx, 'notification__send', { eventKey });
  return true;
}

/** Inbox items past their answer time, still waiting, and not yet notified (the inbox__fetch cron calls this). */
export async function recordOverdueInbox(db: DbOrTx, now = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.execute<{ id: string; channel_name: string; due_at: string }>(sql`
      select i.id, c.name as channel_name, i.due_at::text as due_at
      from inbox_items i join channels c on c.id = i.channel_id
      where i.due_at is not null and i.due_at < ${now.toISOString()}::timestamptz
        and i.state in ('new', 'escalated')
        and not exists (select 1 from notifications n where n.event_key = 'inbox_overdue:' || i.id::text)
      order by i.due_at
      limit 200`);
    let count = 0;
    for (const r of rows) {
      if (await recordNotification(tx, 'inbox_overdue', r.id, { channel: r.channel_name, dueAt: new Date(r.due_at).toISOString() })) count += 1;
    }
    return count;
  });
}

/** A crisis delivery ended failed: once per delivery (a manual retry that fails again is the same delivery). */
export async function notifyCrisisDeliveryFailed(
  tx: DbOrTx,
  delivery: { id: string; postId: string; channelId: string; isCrisis: boolean },
  reason: string,
): Promise<void> {
  if (!delivery.isCrisis) return;
  const [channel] = await tx.select({ name: channels.name }).from(channels).where(eq(channels.id, delivery.channelId));
  await recordNotification(tx, 'crisis_delivery_failed', delivery.id, { channel: channel?.name ?? '', reason, postId: delivery.postId });
}

/**
 * The channel's sign-in stopped working. The episode is the channel row's updatedAt before the hold: a second hold
 * of the same episode (a refresh and a publish racing) sends nothing, one after a new re-authorisation sends again.
 */
export async function notifyChannelNeedsReauth(tx: DbOrTx, channel: Channel, reason: string): Promise<void> {
  await recordNotification(tx, 'channel_needs_reauth', channel.id, { channel: channel.name, reason }, String(channel.updatedAt.getTime()));
}
