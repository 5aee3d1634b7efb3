/**
 * Link cards (issue 10, ADR 038): the title, description and image a linked page announces about itself (Open Graph,
 * then Twitter card tags, then <title> and the description meta). Client-safe: the composer shows and edits the card
 * with this schema, the post keeps it; the server's parser is link-card-parse.server.ts.
 */
import { z } from 'zod';

export const LINK_CARD_TITLE_MAX = 300;
export const LINK_CARD_DESCRIPTION_MAX = 1000;

/** Control characters become spaces; line breaks and tabs stay only where `keepLines` says (descriptions). */
export function stripControl(v: string, keepLines = false): string {
  let out = '';
  for (const ch of v) {
    const c = ch.charCodeAt(0);
    const control = c < 0x20 || c === 0x7f;
    out += control && !(keepLines && (c === 0x0a || c === 0x09)) ? ' ' : ch;
  }
  return out;
}

function oneLine(max: number) {
  // Control characters (a NUL, a line break) never belong in a card's title or site name.
  return z
    .string()
    .transform((v) => stripControl(v).replace(/\s+/g, ' ').trim())
    .pipe(z.string().max(max, { error: 'compose.card.tooLong' }));
}

/** A card as stored with the post and as the composer's fields carry it (every field may be edited by hand). */
export const linkCardSchema = z.object({
  url: z.string().max(2048),
  title: oneLine(LINK_CARD_TITLE_MAX),
  description: z
    .string()
    .transform((v) => stripControl(v, true).trim())
    .pipe(z.string().max(LINK_CARD_DESCRIPTION_MAX, { error: 'compose.card.tooLong' })),
  siteName: oneLine(200).optional(),
  /** The page's image, kept in the media store by content hash; absent when there is none or it was removed. */
  imageSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: 'compose.badRef' })
    .optional(),
  /** Where the image came from (shown, never fetched by the browser). */
  imageUrl: z.string().max(2048).optional(),
});
export type LinkCard = z.infer<typeof linkCardSchema>;

/** The host a card names as its source ("helsingborg.se"), for the preview line under the title. */
export function cardHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}
