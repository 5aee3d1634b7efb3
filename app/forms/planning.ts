import { z } from 'zod';
import { postKindValues } from '../../common/post-kinds';

/** /planering's query: which view and period (the loader turns bad values into a 400). */
export const planningQuerySchema = z.object({
  view: z.enum(['week', 'month']).default('week'),
  week: z.string().regex(/^\d{4}-W\d{2}$/).optional(),
  month: z.string().regex(/^\d{4}-\d{2}$/).optional(),
});

/** /planering/lista's filters (GET, so a filtered list is a link); empty fields mean "any". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
export const planningListQuerySchema = z.object({
  channel: z.preprocess(blankToUndefined, z.string().uuid().optional()),
  // Which states exist is the delivery module's: the use-case checks the value (listCalendar).
  state: z.preprocess(blankToUndefined, z.string().regex(/^[a-z_]{1,20}$/).optional()),
  author: z.preprocess(blankToUndefined, z.string().uuid().optional()),
  kind: z.preprocess(blankToUndefined, z.enum(postKindValues).optional()),
  // No control characters (a NUL would reach the database's LIKE).
  // eslint-disable-next-line no-control-regex
  text: z.preprocess(blankToUndefined, z.string().trim().max(200).regex(/^[^\u0000-\u001f\u007f]*$/).optional()),
  // One day in city time (the calendar's "more that day" link); whether the date exists is the use-case's check.
  day: z.preprocess(blankToUndefined, z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional()),
});

/** Cancel every waiting delivery of a post from the list; without confirm=yes the page asks first. */
export const planningCancelSchema = z.object({
  intent: z.literal('cancel_post'),
  postId: z.string().uuid(),
  confirm: z.literal('yes').optional(),
});
