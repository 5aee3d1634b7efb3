/**
 * The crisis image card's layout (issue 11): headline, area, what to do and the city's mark on a high-contrast
 * background. Pure (no I/O): it returns the element tree satori lays out (app/models/crisis-card.server.ts renders
 * it), so the same content rules apply wherever a card is drawn. A card is read faster than text on every platform,
 * and Instagram cannot publish without an image.
 */
import { z } from 'zod';
import type { TemplateLanguage } from './index';

export const CARD_WIDTH = 1080;
export const CARD_HEIGHT = 1080;
export const CARD_FONT_FAMILY = 'Atkinson Hyperlegible';

const hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #RRGGBB');

/** The city's card style (configuration: app/demo/helsingborg.json "crisisCard"). */
export const cardStyleSchema = z
  .object({
    /** The city's mark, drawn as a word mark in the top band. */
    mark: z.string().trim().min(1).max(40),
    background: hex,
    foreground: hex,
    accent: hex,
  })
  .refine((s) => contrastRatio(s.background, s.foreground) >= 7 && contrastRatio(s.background, s.accent) >= 7, {
    message: 'crisisCard colours need a contrast of at least 7:1 against the background (WCAG 1.4.6)',
  });
export type CardStyle = z.infer<typeof cardStyleSchema>;

export const defaultCardStyle: CardStyle = { mark: 'Helsingborgs stad', background: '#000000', foreground: '#FFFFFF', accent: '#FFD400' };

function luminance(colour: string): number {
  const channel = (i: number) => {
    const c = parseInt(colour.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2.1 contrast ratio of two #RRGGBB colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export type CardKind = 'alert' | 'update' | 'all_clear';

export interface CardContent {
  language: TemplateLanguage;
  kind: CardKind;
  exercise: boolean;
  headline: string;
  area: string;
  instruction: string;
  readMore: string | null;
}

const kindLabel: Record<TemplateLanguage, Record<CardKind, string>> = {
  sv: { alert: 'VIKTIGT MEDDELANDE', update: 'UPPDATERING', all_clear: 'FARAN ÖVER' },
  en: { alert: 'IMPORTANT MESSAGE', update: 'UPDATE', all_clear: 'ALL CLEAR' },
  'sv-easy': { alert: 'VIKTIGT', update: 'NY INFORMATION', all_clear: 'FARAN ÖVER' },
};
const drillLabel: Record<TemplateLanguage, string> = { sv: 'ÖVNING', en: 'EXERCISE', 'sv-easy': 'ÖVNING' };
const areaLabel: Record<TemplateLanguage, string> = { sv: 'Område', en: 'Area', 'sv-easy': 'Var' };
const doLabel: Record<TemplateLanguage, string> = { sv: 'Gör så här', en: 'What to do', 'sv-easy': 'Gör så här' };

/** The words a card shows, in reading order (also what a test looks for in the rendered SVG). */
export function cardTexts(c: CardContent, style: CardStyle) {
  return {
    mark: style.mark,
    label: [c.exercise ? drillLabel[c.language] : null, kindLabel[c.language][c.kind]].filter(Boolean).join(' · '),
    headline: c.headline,
    areaLabel: areaLabel[c.language],
    area: c.area,
    doLabel: doLabel[c.language],
    instruction: c.instruction,
    readMore: c.readMore ? c.readMore.replace(/^https:\/\//i, '') : null,
  };
}

/** A satori element: the shape React elements have, without React. */
export interface CardNode {
  type: string;
  props: { style?: Record<string, string | number>; children?: (CardNode | string)[] | CardNode | string; lang?: string };
}

const node = (type: string, style: Record<string, string | number>, children?: CardNode['props']['children']): CardNode => ({
  type,
  props: { style, ...(children === undefined ? {} : { children }) },
});

/** Smaller type for long headlines so the whole headline always fits; never below 56 px (legible on a phone). */
function headlineSize(text: string): number {
  const n = Array.from(text).length;
  return n <= 36 ? 92 : n <= 60 ? 76 : n <= 90 ? 64 : 56;
}

export function cardTree(c: CardContent, style: CardStyle): CardNode {
  const t = cardTexts(c, style);
  const text = (children: string, s: Record<string, string | number>) => node('div', { display: 'flex', ...s }, children);
  return node(
    'div',
    {
      width: CARD_WIDTH,
      height: CARD_HEIGHT,
      display: 'flex',
      flexDirection: 'column',
      boxSizing: 'border-box',
      backgroundColor: style.background,
      color: style.foreground,
      fontFamily: CARD_FONT_FAMILY,
      padding: 64,
    },
    [
      text(t.mark, { fontSize: 40, fontWeight: 700, borderBottom: `6px solid ${style.accent}`, paddingBottom: 20 }),
      node('div', { display: 'flex', marginTop: 40 }, [
        text(t.label, { fontSize: 36, fontWeight: 700, color: style.background, backgroundColor: style.accent, padding: '8px 20px' }),
      ]),
      text(t.headline, { fontSize: headlineSize(t.headline), fontWeight: 700, color: style.accent, marginTop: 32, lineHeight: 1.15 }),
      text(`${t.areaLabel}: ${t.area}`, { fontSize: 44, fontWeight: 700, marginTop: 32 }),
      node('div', { display: 'flex', flexDirection: 'column', marginTop: 32, flexGrow: 1, flexShrink: 1, overflow: 'hidden' }, [
        text(t.doLabel, { fontSize: 34, fontWeight: 700, color: style.accent }),
        text(t.instruction, { fontSize: 44, marginTop: 8, lineHeight: 1.3 }),
      ]),
      ...(t.readMore ? [text(t.readMore, { fontSize: 34, borderTop: `2px solid ${style.foreground}`, paddingTop: 20, flexShrink: 0 })] : []),
    ],
  );
}
