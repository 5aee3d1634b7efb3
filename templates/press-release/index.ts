/**
 * The press-release template (pressmeddelande): a marked headline, summary, link and a press contact, with the
 * city's sign-off and hashtags (templates/posts.ts). X gets the headline and link; the contact goes where there is room.
 */
import { z } from 'zod';
import { commonVariables, fitX, line, paragraphs, tagLine, type PostTemplate } from '../posts';

/** A real calendar date, YYYY-MM-DD (2026-02-30 is refused), optional. */
const isoDate = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'compose.template.badDate' })
    .refine((v) => {
      const [y, m, d] = v.split('-').map(Number) as [number, number, number];
      const date = new Date(Date.UTC(y, m - 1, d));
      return y >= 2000 && y <= 2100 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    }, { error: 'compose.template.badDate' })
    .optional(),
);

export const pressReleaseVariables = commonVariables.extend({
  contactName: line(80),
  contactPhone: line(40),
  date: isoDate,
});
export type PressReleaseVariables = z.infer<typeof pressReleaseVariables>;

export const pressReleaseTemplate: PostTemplate<PressReleaseVariables> = {
  key: 'pressmeddelande',
  kind: 'pressmeddelande',
  name: { sv: 'Pressmeddelande', en: 'Press release' },
  fields: ['headline', 'summary', 'url', 'contactName', 'contactPhone', 'date', 'signOff', 'hashtags'],
  variables: pressReleaseVariables,
  render(platform, v) {
    const head = `Pressmeddelande: ${v.headline}`;
    const contact = `Presskontakt: ${v.contactName}, ${v.contactPhone}`;
    const dated = v.date ? `Datum: ${v.date}` : null;
    const tags = tagLine(v);
    switch (platform) {
      case 'x':
        return { text: fitX([paragraphs(head, v.summary, tags), paragraphs(head, tags), head], v.url), title: null };
      case 'facebook':
      case 'instagram':
        return { text: paragraphs(head, dated, v.summary, contact, v.signOff, tags), title: null };
      case 'youtube':
        return { text: paragraphs(dated, v.summary, contact, v.signOff, tags), title: head.slice(0, 100) };
    }
  },
};
