/**
 * X's posting limits, checked the way X itself counts. Pure (no I/O): the composer imports this in the browser
 * for live feedback, the CLI and the worker use it for their checks.
 */
import type { Draft, DraftMedia, LimitProblem, LimitReport } from '../contract';
import { t, defaultLocale, type Locale } from '../../../common/i18n';
import { twitterText } from './twitter-text';

const MB = 1024 * 1024;

export const X_LIMITS = {
  /** twitter-text config v3: weighted length, CJK and most symbols weigh 2, each emoji sequence 2. */
  maxWeightedLength: 280,
  /** Every URL the extractor recognises counts as a t.co link of this length. */
  transformedUrlLength: 23,
  maxImages: 4,
  /** A video or an animated GIF must be the only attachment. */
  maxVideos: 1,
  maxImageBytes: 5 * MB,
  maxGifBytes: 15 * MB,
  maxVideoBytes: 512 * MB,
  imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
  videoMimeTypes: ['video/mp4', 'video/quicktime'],
} as const;

/**
 * The exact text the adapter sends: the link goes on its own paragraph unless the author already put it in
 * the text. The limit check, the adapter and reconciliation must all agree on this string.
 */
export function composeXText(req: { text: string; link?: string | null }): string {
  const link = req.link?.trim();
  if (!link || req.text.includes(link)) return req.text;
  const text = req.text.trimEnd();
  return text === '' ? link : `${text}\n\n${link}`;
}

/** True for media X treats as "single only": videos and animated GIFs. */
export function isSingleOnlyMedia(media: Pick<DraftMedia, 'kind' | 'mimeType'>): boolean {
  return media.kind === 'video' || media.mimeType.toLowerCase() === 'image/gif';
}

// Messages with no key in the catalogue yet (keys requested from the lead: limits.videoTooLarge, limits.mediaFormat).
const literal = {
  videoTooLarge: {
    sv: 'Videon är för stor: {size} MB av högst {limit} MB.',
    en: 'The video is too large: {size} MB of at most {limit} MB.',
  },
  mediaFormat: {
    sv: 'X tar inte emot filformatet {mimeType}.',
    en: 'X does not accept the file format {mimeType}.',
  },
} as const;

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}

function megabytes(bytes: number, locale: Locale): string {
  return (bytes / MB).toLocaleString(locale === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1 });
}

function mediaProblems(media: DraftMedia[], locale: Locale): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const single = media.filter(isSingleOnlyMedia);
  const images = media.filter((m) => !isSingleOnlyMedia(m));
  if (single.length > 0 && images.length > 0) {
    problems.push({ code: 'mediaMix', message: t('limits.mediaMix', {}, locale) });
  } else if (single.length > X_LIMITS.maxVideos) {
    problems.push({
      code: 'tooManyMedia',
      message: t('limits.tooManyMedia', { count: single.length, limit: X_LIMITS.maxVideos }, locale),
    });
  } else if (images.length > X_LIMITS.maxImages) {
    problems.push({
      code: 'tooManyMedia',
      message: t('limits.tooManyMedia', { count: images.length, limit: X_LIMITS.maxImages }, locale),
    });
  }
  for (const item of media) {
    const mimeType = item.mimeType.toLowerCase();
    const accepted: readonly string[] = item.kind === 'video' ? X_LIMITS.videoMimeTypes : X_LIMITS.imageMimeTypes;
    if (!accepted.includes(mimeType)) {
      problems.push({ code: 'mediaFormat', message: fill(literal.mediaFormat[locale], { mimeType: item.mimeType }) });
      continue;
    }
    if (item.kind === 'video') {
      if (item.sizeBytes > X_LIMITS.maxVideoBytes) {
        problems.push({
          code: 'videoTooLarge',
          message: fill(literal.videoTooLarge[locale], {
            size: megabytes(item.sizeBytes, locale),
            limit: X_LIMITS.maxVideoBytes / MB,
          }),
        });
      }
      continue;
    }
    const limit = mimeType === 'image/gif' ? X_LIMITS.maxGifBytes : X_LIMITS.maxImageBytes;
    if (item.sizeBytes > limit) {
      problems.push({
        code: 'imageTooLarge',
        message: t('limits.imageTooLarge', { size: megabytes(item.sizeBytes, locale), limit: limit / MB }, locale),
      });
    }
  }
  return problems;
}

export function checkXLimits(draft: Draft, locale: Locale = defaultLocale): LimitReport {
  const text = composeXText(draft);
  const parsed = twitterText.parseTweet(text);
  const length = parsed.weightedLength;
  const limit = X_LIMITS.maxWeightedLength;
  const problems: LimitProblem[] = [];
  if (text.trim() === '') {
    // X accepts a post with only media, never one with nothing at all.
    if (draft.media.length === 0) problems.push({ code: 'empty', message: t('limits.empty', {}, locale) });
  } else if (length > limit) {
    problems.push({ code: 'tooLong', message: t('limits.tooLong', { length, limit }, locale) });
  } else if (!parsed.valid) {
    problems.push({ code: 'invalidChars', message: t('limits.invalidChars', {}, locale) });
  }
  problems.push(...mediaProblems(draft.media, locale));
  return { ok: problems.length === 0, length, limit, problems };
}

/** An image's alt text on X (media metadata) is at most 1000 characters. */
export const X_MAX_ALT_TEXT = 1000;
