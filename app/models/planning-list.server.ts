/** The calendar's list view (/planering/lista): posts by channel, state, author, kind and text; cancel a post. */
import type { DbOrTx } from '../../db/client';
import { deliveryStateValues, type DeliveryState } from '../../db/schema';
import { listCalendarPosts, listPostAuthors, type CalendarListFilter } from '../../db/queries/calendar-list';
import type { PostKind } from '../../common/post-kinds';
import { parseCityDate } from '../../common/time';

export { deliveryStateValues };

export class ListFilterError extends Error {}

export interface ListFilterInput {
  channel?: string;
  state?: string;
  author?: string;
  kind?: PostKind;
  text?: string;
  /** yyyy-MM-dd, a day in city time. */
  day?: string;
}

/** Posts matching every filter; a staff host sees only their own (issue 13). */
export async function listCalendar(db: DbOrTx, input: ListFilterInput, viewer: { id: string; role: string }) {
  if (input.state && !(deliveryStateValues as readonly string[]).includes(input.state)) throw new ListFilterError(input.state);
  const day = input.day ? parseCityDate(input.day) : null;
  if (day && !day.ok) throw new ListFilterError(input.day!);
  const filter: CalendarListFilter = {
    channelId: input.channel,
    state: input.state as DeliveryState | undefined,
    authorId: viewer.role === 'staff_host' ? viewer.id : input.author,
    kind: input.kind,
    text: input.text,
    ...(day?.ok ? { between: { from: day.start, to: day.end } } : {}),
  };
  return listCalendarPosts(db, filter);
}

export async function listAuthors(db: DbOrTx) {
  return listPostAuthors(db);
}
