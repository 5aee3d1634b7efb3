/**
 * Link cards for the composer (issue 10, ADR 038): the linked page's title, description and image, fetched on the
 * server through the SSRF-guarded fetch (only public addresses, every hop checked; configured test hosts excepted),
 * the image kept in the media store by hash. The officer may then edit every field; the post stores the card.
 */
import { t, type Locale, type MessageKey } from '../../common/i18n';
import { config } from '../../common/config.server';
import { safeFetch, SafeFetchError, type Resolver, type SafeFetchRefusal } from '../../common/safe-fetch.server';
import { decodeHtml, parsePageMeta } from '../../common/link-card-parse.server';
import type { LinkCard } from '../../common/link-card';
import { mediaStore } from '../../common/media-store.server';
import { describeMedia } from '../../workers/platforms/index';

const MAX_REDIRECTS = 3;
/** Images may be larger than pages, but not much: the card shows a thumbnail. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface LinkCardFetchOptions {
  /** For tests: the DNS answer for a name (the system resolver otherwise). */
  resolve?: Resolver;
  allowHosts?: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
}

export type LinkCardResult =
  | { ok: true; card: LinkCard; imageProblem: string | null }
  | { ok: false; reason: SafeFetchRefusal | 'not_html'; message: string };

function refusalMessage(reason: SafeFetchRefusal | 'not_html', locale: Locale): string {
  return t(`compose.card.refused.${reason}` as MessageKey, {}, locale);
}

function settings(opts: LinkCardFetchOptions) {
  const cfg = config();
  return {
    timeoutMs: opts.timeoutMs ?? cfg.LINK_CARD_TIMEOUT_MS,
    maxBytes: opts.maxBytes ?? cfg.LINK_CARD_MAX_BYTES,
    maxRedirects: MAX_REDIRECTS,
    // Read at call time as well as at start: a test or demo names its local pages before the first fetch.
    allowHosts: opts.allowHosts ?? [...cfg.LINK_CARD_TEST_HOSTS, ...envTestHosts()],
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
  };
}

function envTestHosts(): string[] {
  return (process.env.LINK_CARD_TEST_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
}

/** Fetches the page at `url` and reads its card. Refusals (and pages that are not HTML) come back with a reason. */
export async function fetchLinkCard(url: string, locale: Locale, opts: LinkCardFetchOptions = {}): Promise<LinkCardResult> {
  const s = settings(opts);
  let page;
  try {
    page = await safeFetch(url, { ...s, accept: 'text/html,application/xhtml+xml' });
  } catch (e) {
    if (e instanceof SafeFetchError) return { ok: false, reason: e.reason, message: refusalMessage(e.reason, locale) };
    throw e;
  }
  if (!/^(text\/html|application\/xhtml\+xml)\b/i.test(page.contentType.trim())) {
    return { ok: false, reason: 'not_html', message: refusalMessage('not_html', locale) };
  }
  const meta = parsePageMeta(decodeHtml(page.body, page.contentType), page.url);
  const card: LinkCard = {
    url,
    title: meta.title ?? '',
    description: meta.description ?? '',
    ...(meta.siteName ? { siteName: meta.siteName } : {}),
  };
  let imageProblem: string | null = null;
  if (meta.imageUrl) {
    try {
      const image = await safeFetch(meta.imageUrl, { ...s, maxBytes: MAX_IMAGE_BYTES, accept: 'image/jpeg,image/png' });
      const info = describeMedia(image.body, 'kort');
      if (info.mimeType === 'image/jpeg' || info.mimeType === 'image/png') {
        card.imageSha256 = await mediaStore().put(image.body);
        card.imageUrl = meta.imageUrl;
      } else {
        imageProblem = t('compose.card.imageFormat', {}, locale);
      }
    } catch (e) {
      if (!(e instanceof SafeFetchError)) throw e;
      imageProblem = t('compose.card.imageRefused', { reason: refusalMessage(e.reason, locale) }, locale);
    }
  }
  return { ok: true, card, imageProblem };
}
