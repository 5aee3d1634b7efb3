/**
 * RSS 2.0 and Atom 1.0, read with fast-xml-parser (ADR 042). Hostile feeds are refused before parsing: a document
 * with a DOCTYPE (the only way to declare entities, so the only way to an entity-expansion bomb) or one over the size
 * limit is never parsed, malformed XML is named with its line, and every field is cut to a sane length.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface FeedEntry {
  /** "guid:<guid>", else "link:<link>": the item's stable identity across polls and edits. */
  identity: string;
  guid: string | null;
  link: string | null;
  title: string;
  summary: string;
}

export type FeedParseError = { code: 'entities' } | { code: 'malformed'; message: string } | { code: 'not_a_feed' };

export type FeedParse = { ok: true; entries: FeedEntry[] } | { ok: false; error: FeedParseError };

export const FEED_MAX_ITEMS = 200;
const MAX_TITLE = 300;
const MAX_SUMMARY = 2000;
const MAX_URL = 2000;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  // Only the five XML entities and character references; a DOCTYPE never gets this far.
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link',
});

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object' && '#text' in v) return text((v as Record<string, unknown>)['#text']);
  return '';
}

/** Markup and runs of white space out (summaries are often HTML), cut to `max` characters. */
function plain(s: string, max: number): string {
  // Bounded before any regular expression runs over it.
  const out = s
    .slice(0, max * 10)
    .replace(/<[^>]*>/g, ' ')
    // Control characters have no place in a post (and XML 1.0 forbids most of them anyway).
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > max ? `${out.slice(0, max - 1).trimEnd()}…` : out;
}

/** An absolute http(s) URL or null. */
function httpUrl(s: string): string | null {
  const v = s.trim();
  if (!v || v.length > MAX_URL) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

function entry(guidRaw: string, linkRaw: string | null, titleRaw: string, summaryRaw: string): FeedEntry | null {
  const guid = plain(guidRaw, MAX_URL) || null;
  const link = linkRaw ? httpUrl(linkRaw) : null;
  const identity = guid ? `guid:${guid}` : link ? `link:${link}` : null;
  if (!identity) return null;
  const title = plain(titleRaw, MAX_TITLE) || link || guid || '';
  return { identity, guid, link, title, summary: plain(summaryRaw, MAX_SUMMARY) };
}

function atomLink(links: unknown): string | null {
  if (!Array.isArray(links)) return null;
  const all = links.filter((l): l is Record<string, unknown> => typeof l === 'object' && l !== null);
  const alt = all.find((l) => !l['@_rel'] || l['@_rel'] === 'alternate') ?? all[0];
  return alt ? text(alt['@_href']) : null;
}

export function parseFeed(xml: string): FeedParse {
  // Entities can only be declared in a DOCTYPE; feeds have no need of one.
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) return { ok: false, error: { code: 'entities' } };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, error: { code: 'malformed', message: `${valid.err.msg} (rad ${valid.err.line})` } };
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, error: { code: 'malformed', message: e instanceof Error ? e.message : String(e) } };
  }
  const entries: FeedEntry[] = [];
  const rss = doc.rss as Record<string, unknown> | undefined;
  const atom = doc.feed as Record<string, unknown> | undefined;
  if (rss && typeof rss === 'object') {
    const channel = (Array.isArray(rss.channel) ? rss.channel[0] : rss.channel) as Record<string, unknown> | undefined;
    const items = Array.isArray(channel?.item) ? (channel.item as Record<string, unknown>[]) : [];
    for (const it of items.slice(0, FEED_MAX_ITEMS)) {
      if (!it || typeof it !== 'object') continue;
      const e = entry(text(it.guid), text(it.link) || null, text(it.title), text(it.description));
      if (e) entries.push(e);
    }
  } else if (atom && typeof atom === 'object') {
    const items = Array.isArray(atom.entry) ? (atom.entry as Record<string, unknown>[]) : [];
    for (const it of items.slice(0, FEED_MAX_ITEMS)) {
      if (!it || typeof it !== 'object') continue;
      const e = entry(text(it.id), atomLink(it.link), text(it.title), text(it.summary) || text(it.content));
      if (e) entries.push(e);
    }
  } else {
    return { ok: false, error: { code: 'not_a_feed' } };
  }
  // One entry per identity, the first one listed (a feed that repeats an item still imports it once).
  const seen = new Set<string>();
  return { ok: true, entries: entries.filter((e) => (seen.has(e.identity) ? false : (seen.add(e.identity), true))) };
}
