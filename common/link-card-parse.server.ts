/** Reads a fetched page's description of itself into a link card's fields (ADR 038). Server only (htmlparser2). */
import { Parser } from 'htmlparser2';
import { LINK_CARD_DESCRIPTION_MAX, LINK_CARD_TITLE_MAX, stripControl } from './link-card';

export interface ParsedPageMeta {
  title: string | null;
  description: string | null;
  siteName: string | null;
  /** Absolute http(s) URL of the announced image, resolved against the page's address. */
  imageUrl: string | null;
}

const priority = {
  title: ['og:title', 'twitter:title'],
  description: ['og:description', 'twitter:description', 'description'],
  siteName: ['og:site_name'],
  image: ['og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'],
} as const;

function clean(v: string | undefined, max: number): string | null {
  if (v === undefined) return null;
  const s = stripControl(v).replace(/\s+/g, ' ').trim();
  if (s === '') return null;
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}

/** Reads the page's own description of itself; stops at </head> (what follows never holds these tags). */
export function parsePageMeta(html: string, pageUrl: string): ParsedPageMeta {
  const meta = new Map<string, string>();
  let titleText = '';
  let inTitle = false;
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (done) return;
        if (name === 'title') inTitle = true;
        if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? '').trim().toLowerCase();
          const content = attrs.content;
          // The first of each tag wins, as the platforms' own scrapers read it.
          if (key && typeof content === 'string' && !meta.has(key)) meta.set(key, content);
        }
        if (name === 'body') done = true;
      },
      ontext(text) {
        if (inTitle && !done) titleText += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (name === 'head') done = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  const first = (keys: readonly string[]) => keys.map((k) => meta.get(k)).find((v) => v !== undefined && v.trim() !== '');
  let imageUrl: string | null = null;
  const rawImage = first(priority.image);
  if (rawImage) {
    try {
      const u = new URL(rawImage.trim(), pageUrl);
      if (u.protocol === 'https:' || u.protocol === 'http:') imageUrl = u.href;
    } catch {
      imageUrl = null;
    }
  }
  return {
    title: clean(first(priority.title) ?? titleText, LINK_CARD_TITLE_MAX),
    description: clean(first(priority.description), LINK_CARD_DESCRIPTION_MAX),
    siteName: clean(first(priority.siteName), 200),
    imageUrl,
  };
}

/** The charset a Content-Type names, when TextDecoder knows it; UTF-8 otherwise. */
export function decodeHtml(body: Uint8Array, contentType: string): string {
  const m = /charset\s*=\s*"?([\w-]+)/i.exec(contentType);
  const label = m?.[1]?.toLowerCase() ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

