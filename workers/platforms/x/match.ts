/**
 * Reconciliation compares what we sent with what X lists. X does not hand the text back verbatim: links come
 * back as t.co links (the original is in entities.urls), `&`, `<` and `>` come back HTML-escaped, bare domains
 * get a scheme, and the text is NFC-normalised. Both sides are brought to one canonical form before comparing.
 */
import type { TweetV2 } from 'twitter-api-v2';
import { twitterText } from './twitter-text';

function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function canonicalUrl(url: string): string {
  return url
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^([^/?#]+)/, (host) => host.toLowerCase())
    .replace(/\/+$/, '');
}

/** The listed tweet's text with t.co links replaced by the links we sent. */
export function expandedText(tweet: Pick<TweetV2, 'text' | 'entities'>): string {
  let text = unescapeHtml(tweet.text);
  for (const entity of tweet.entities?.urls ?? []) {
    if (entity.url && entity.expanded_url) text = text.split(entity.url).join(entity.expanded_url);
  }
  return text;
}

export function canonicalText(text: string): string {
  const normalized = text.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  const urls = twitterText.extractUrlsWithIndices(normalized);
  let out = '';
  let at = 0;
  for (const { url, indices } of urls) {
    out += normalized.slice(at, indices[0]) + canonicalUrl(url);
    at = indices[1];
  }
  return out + normalized.slice(at);
}

export function sameText(sent: string, listed: Pick<TweetV2, 'text' | 'entities'>): boolean {
  return canonicalText(sent) === canonicalText(expandedText(listed));
}
