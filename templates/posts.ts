/**
 * Post templates (issue 10): news (nyhet) and press release (pressmeddelande). Each has typed variables (zod) and
 * renders one version per platform — X within its weighted length (the same limit function the worker runs),
 * Facebook in full, Instagram without a clickable link, YouTube as title and description. The city's sign-off and
 * hashtags are defaults from configuration (app/demo/helsingborg.json "postTemplates"), editable in the form.
 * Pure: no I/O.
 */
import { z } from 'zod';
import { hasControlChars } from '../common/form-rules';
import type { Platform } from '../common/platforms';
import type { ComposerKind } from '../common/post-kinds';
import { checkLimitsFor } from '../workers/platforms/index';

export interface RenderedVariant {
  text: string;
  /** YouTube's title; null elsewhere. */
  title: string | null;
}

export interface TemplateDefaults {
  signOff: string;
  hashtags: string[];
}

export const templateDefaultsSchema = z.object({
  signOff: z.string().trim().max(120).default(''),
  hashtags: z.array(z.string().regex(/^#[\p{L}\p{N}_]+$/u)).max(10).default([]),
});


/** One line of text: required unless `optional`, no line breaks or control characters. */
export const line = (max: number) =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required' })
    .max(max, { error: 'compose.template.tooLong' })
    .refine((v) => !hasControlChars(v), { error: 'compose.template.controlChars' });

const optionalLine = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), line(max).optional());

/** A paragraph: line breaks allowed, other control characters not. */
export const paragraph = (max: number) =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required' })
    .max(max, { error: 'compose.template.tooLong' })
    .refine((v) => !hasControlChars(v.replace(/\r?\n/g, '')), { error: 'compose.template.controlChars' });

/** "#helsingborg #nyhet" → ['#helsingborg', '#nyhet']; a word without '#' gets one. */
export const hashtags = z
  .string()
  .max(300, { error: 'compose.template.tooLong' })
  .default('')
  .transform((v) => v.split(/[\s,]+/).filter(Boolean).map((h) => (h.startsWith('#') ? h : `#${h}`)))
  .pipe(z.array(z.string().regex(/^#[\p{L}\p{N}_]{1,60}$/u, { error: 'compose.template.badHashtag' })).max(10, { error: 'compose.template.badHashtag' }));

export const httpsUrl = z
  .string({ error: 'validation.required' })
  .trim()
  .max(2048, { error: 'compose.template.tooLong' })
  .url({ error: 'validation.url' })
  .refine((v) => /^https?:\/\//i.test(v), { error: 'validation.url' });

export const commonVariables = z.object({
  headline: line(120),
  summary: paragraph(600),
  url: httpsUrl,
  signOff: optionalLine(120),
  hashtags,
});
export type CommonVariables = z.infer<typeof commonVariables>;

export interface PostTemplate<V extends CommonVariables = CommonVariables> {
  key: 'nyhet' | 'pressmeddelande';
  kind: ComposerKind;
  name: { sv: string; en: string };
  /** The form's fields in order (names of `variables`). */
  fields: readonly (keyof V & string)[];
  variables: z.ZodType<V, unknown>;
  render(platform: Platform, v: V): RenderedVariant;
}

const X_MAX = 280;

/** The longest of `candidates` that X accepts with the link (weighted length, as the worker counts it). */
export function fitX(candidates: string[], link: string): string {
  for (const text of candidates) {
    if (checkLimitsFor('x', { text, link, media: [] }).length <= X_MAX) return text;
  }
  return candidates[candidates.length - 1] ?? '';
}

export function paragraphs(...parts: (string | null | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n');
}

export function tagLine(v: Pick<CommonVariables, 'hashtags'>): string {
  return v.hashtags.join(' ');
}
