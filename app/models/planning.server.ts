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

/**
 * At most this many posts are drawn in one day of the calendar; the rest of that day is one link to the list view
 * filtered to the day. A day of a crisis or a bulk import can hold hundreds of posts, which no calendar cell can show
 * readably, and rendering them all made every view of that week slow.
 */
export const CALENDAR_DAY_LIMIT = 20;

export interface CalendarDays {
  /** Day key (yyyy-MM-dd, city time) → the day's first posts, in time order. */
  entries: Record<string, CalendarEntry[]>;
  /** Day key → how many more posts that day has than are drawn. */
  more: Record<string, number>;
}

/**
 * `scope` narrows the calendar to one channel's deliveries, as a staff host sees their account's schedule for their
 * week (issue 13); `viewerId` then marks which entries are the host's own.
 */
export async function calendarFor(db: DbOrTx, period: Period, scope?: { channelId: string; viewerId: string }): Promise<CalendarDays> {
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
  const entries: Record<string, CalendarEntry[]> = {};
  const more: Record<string, number> = {};
  for (const e of [...byPost.values()].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const key = dayKey(e.at);
    if (!shown.has(key)) continue;
    const day = (entries[key] ??= []);
    if (day.length < CALENDAR_DAY_LIMIT) day.push(e);
    else more[key] = (more[key] ?? 0) + 1;
  }
  return { entries, more };
}
