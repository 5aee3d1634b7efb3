/** The planning calendar (/planering): posts per day in city time, each with its channels' states. */
import type { DbOrTx } from '../../db/client';
import { listDeliveriesBetween } from '../../db/queries/deliveries';
import { dayKey, type Period } from '../../common/calendar';

export interface CalendarEntry {
  postId: string;
  at: Date;
  text: string;
  kind: string;
  reviewState: string;
  /** Whether the viewer may open the post (a staff host sees the account's schedule but opens only their own). */
  openable: boolean;
  channels: { name: string; state: string; permalink: string | null }[];
}

/** Day key (yyyy-MM-dd, city time) → the posts of that day, in time order. */
/**
 * `scope` narrows the calendar to one channel's deliveries, as a staff host sees their account's schedule for their
 * week (issue 13); `viewerId` then marks which entries are the host's own.
 */
export async function calendarFor(db: DbOrTx, period: Period, scope?: { channelId: string; viewerId: string }): Promise<Record<string, CalendarEntry[]>> {
  const first = period.days[0] ?? period.start;
  const last = period.days.at(-1) ?? period.end;
  const rows = await listDeliveriesBetween(db, first, new Date(last.getTime() + 26 * 3600_000));
  const byPost = new Map<string, CalendarEntry>();
  for (const r of rows) {
    if (scope && r.channelId !== scope.channelId) continue;
    const at = r.publishedAt ?? r.scheduledAt;
    const entry = byPost.get(r.postId) ?? { postId: r.postId, at, text: r.text, kind: r.kind, reviewState: r.reviewState, openable: !scope || r.createdBy === scope.viewerId, channels: [] };
    if (at.getTime() < entry.at.getTime()) entry.at = at;
    entry.channels.push({ name: r.channelName, state: r.state, permalink: r.permalink });
    byPost.set(r.postId, entry);
  }
  const shown = new Set(period.days.map(dayKey));
  const out: Record<string, CalendarEntry[]> = {};
  for (const e of [...byPost.values()].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const key = dayKey(e.at);
    if (!shown.has(key)) continue;
    (out[key] ??= []).push(e);
  }
  return out;
}
