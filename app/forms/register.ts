import { z } from 'zod';
import { MAX_YEAR, MIN_YEAR } from '../../common/time';
import { recordDirections, recordKinds } from '../../common/register';

/** YYYY-MM-DD that exists in the calendar (2026-02-30 does not) and lies within the years the console accepts. */
function calendarDate(value: string): 'format' | 'invalid' | 'year' | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return 'format';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return 'year';
  if (mo < 1 || mo > 12) return 'invalid';
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d < 1 || d > days ? 'invalid' : null;
}

const dateField = z
  .string()
  .max(40, { error: 'register.search.dateFormat' })
  .superRefine((value, ctx) => {
    const problem = calendarDate(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `register.search.date.${problem}` });
  })
  .optional();

/** A keyset cursor: registered_at in epoch ms and the record id of the last row shown. */
export const cursorPattern = /^\d{1,15}\.\d{1,15}$/;

/**
 * The register search (GET /diarium): one schema for the loader, the export route and the UI. Every field is
 * optional; errors are catalogue keys. The text goes to websearch_to_tsquery, which accepts any string, so only
 * its length is limited here.
 */
export const registerSearchSchema = z
  .object({
    q: z.string().trim().max(200, { error: 'register.search.tooLong' }).optional(),
    from: dateField,
    to: dateField,
    channel: z.string().uuid({ error: 'register.search.badChoice' }).optional(),
    direction: z.enum(recordDirections, { error: 'register.search.badChoice' }).optional(),
    kind: z.enum(recordKinds, { error: 'register.search.badChoice' }).optional(),
    series: z
      .string()
      .trim()
      .max(20, { error: 'register.search.tooLong' })
      .regex(/^[\p{L}\p{N}_-]+$/u, { error: 'register.search.badSeries' })
      .optional(),
    number: z.string().trim().max(40, { error: 'register.search.tooLong' }).optional(),
    confidentiality: z.enum(['open', 'confidential'], { error: 'register.search.badChoice' }).optional(),
    exercise: z.enum(['real', 'exercise'], { error: 'register.search.badChoice' }).optional(),
    after: z.string().regex(cursorPattern, { error: 'register.search.badCursor' }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && !calendarDate(v.from) && !calendarDate(v.to) && v.from > v.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'register.search.dateOrder' });
    }
  });

export type RegisterSearchInput = z.infer<typeof registerSearchSchema>;

/** The field names of the search, in the order the export route passes them on. */
export const registerSearchFields = ['q', 'from', 'to', 'channel', 'direction', 'kind', 'series', 'number', 'confidentiality', 'exercise'] as const;

/** The "Verifiera diariet" button. */
export const registerVerifySchema = z.object({ intent: z.literal('verify') });

/** GET /diarium/export?format=…&<the search's fields>. */
export const registerExportFormatSchema = z.object({ format: z.enum(['csv', 'json'], { error: 'register.search.badChoice' }) });
