// Pure: the composer calls it once per channel, so the same post text can carry different campaign tags per channel.
import { z } from 'zod';

const utmValue = z.string().trim().min(1).max(100).regex(/^[\w.\-+]+$/, 'letters, digits, . - + _ only');
export const utmConfigSchema = z.object({ source: utmValue, medium: utmValue, campaign: utmValue.optional() }).strict();
export type UtmConfig = z.infer<typeof utmConfigSchema>;
/** Channel key → its UTM parameters. Configuration ("utm" in the city's file); empty (the default) tags nothing. */
export const channelUtmSchema = z.record(z.string().min(1).max(100), utmConfigSchema);
export type ChannelUtm = z.infer<typeof channelUtmSchema>;

/** The link as a channel publishes it: tagged when the channel has UTM parameters, the same link otherwise. */
export function channelLink(link: string | null | undefined, utm: UtmConfig | undefined): string | null {
  if (!link) return null;
  return utm ? addUtmParams(link, utm) : link;
}

const URL_PATTERN = /https?:\/\/[^\s<>"')\]]+/g;

function tagUrl(raw: string, utm: UtmConfig): string {
  // Trailing punctuation belongs to the sentence, not the link.
  const match = /[.,;:!?]+$/.exec(raw);
  const tail = match ? match[0] : '';
  const link = tail ? raw.slice(0, -tail.length) : raw;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return raw;
  }
  const set = (key: string, value: string | undefined) => {
    if (value && !url.searchParams.has(key)) url.searchParams.set(key, value);
  };
  set('utm_source', utm.source);
  set('utm_medium', utm.medium);
  set('utm_campaign', utm.campaign);
  return url.toString() + tail;
}

/** Adds utm_* to every http(s) link in `text`; `undefined` config (the default) leaves the text untouched. */
export function addUtmParams(text: string, utm: UtmConfig | undefined): string {
  if (!utm) return text;
  return text.replace(URL_PATTERN, (raw) => tagUrl(raw, utm));
}
