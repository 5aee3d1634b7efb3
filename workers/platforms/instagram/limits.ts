/** Instagram (content publishing API) limits. Pure (no I/O): the composer, the CLI, the worker and the simulator use it. */
import type { Draft, LimitProblem, LimitReport } from '../contract';
import { t, type Locale } from '../../../common/i18n';
import { countCharacters, formatMegabytes } from '../meta/text';

export const INSTAGRAM_MAX_CAPTION_CHARS = 2_200;
export const INSTAGRAM_MAX_HASHTAGS = 30;
export const INSTAGRAM_MAX_MENTIONS = 20;
export const INSTAGRAM_MAX_IMAGE_BYTES = 8 * 1024 * 1024;
export const INSTAGRAM_MAX_IMAGE_MB = 8;
/** 4:5 (portrait) … 1.91:1 (landscape), width / height. */
export const INSTAGRAM_MIN_ASPECT_RATIO = 4 / 5;
export const INSTAGRAM_MAX_ASPECT_RATIO = 1.91;
/** One image or one video per post: carousels are not supported yet. */
export const INSTAGRAM_MAX_MEDIA = 1;
export const INSTAGRAM_IMAGE_TYPES = ['image/jpeg'] as const;
export const INSTAGRAM_VIDEO_TYPES = ['video/mp4', 'video/quicktime'] as const;

/** Instagram has no link field and links in captions are not clickable, but the address is still useful to readers. */
export function composeInstagramCaption(input: { text: string; link?: string | null }): string {
  const text = input.text.trim();
  const link = input.link?.trim();
  if (!link) return text;
  return text ? `${text}\n\n${link}` : link;
}

export function countHashtags(caption: string): number {
  return [...caption.matchAll(/(^|[^\p{L}\p{N}_&#/])#[\p{L}\p{N}_]+/gu)].length;
}

/** "@name" not preceded by a word character or "/", so e-mail addresses and URL paths do not count. */
export function countMentions(caption: string): number {
  return [...caption.matchAll(/(^|[^\p{L}\p{N}_.@/])@[A-Za-z0-9._]+/gu)].length;
}

const EPSILON = 0.0005;

export function isInstagramAspectRatioAllowed(width: number, height: number): boolean {
  if (width <= 0 || height <= 0) return false;
  const ratio = width / height;
  return ratio >= INSTAGRAM_MIN_ASPECT_RATIO - EPSILON && ratio <= INSTAGRAM_MAX_ASPECT_RATIO + EPSILON;
}

function formatRatio(width: number, height: number, locale: Locale): string {
  const ratio = new Intl.NumberFormat(locale === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 2 }).format(width / height);
  return `${ratio}:1`;
}

export function checkInstagramLimits(draft: Draft, locale: Locale = 'sv'): LimitReport {
  const caption = composeInstagramCaption(draft);
  const length = countCharacters(caption);
  const problems: LimitProblem[] = [];
  if (length > INSTAGRAM_MAX_CAPTION_CHARS) {
    problems.push({ code: 'tooLong', message: t('limits.tooLong', { length, limit: INSTAGRAM_MAX_CAPTION_CHARS }, locale) });
  }
  const hashtags = countHashtags(caption);
  if (hashtags > INSTAGRAM_MAX_HASHTAGS) {
    problems.push({ code: 'tooManyHashtags', message: t('limits.tooManyHashtags', { count: hashtags, limit: INSTAGRAM_MAX_HASHTAGS }, locale) });
  }
  const mentions = countMentions(caption);
  if (mentions > INSTAGRAM_MAX_MENTIONS) {
    problems.push({ code: 'tooManyMentions', message: t('limits.tooManyMentions', { count: mentions, limit: INSTAGRAM_MAX_MENTIONS }, locale) });
  }
  if (draft.media.length === 0) {
    problems.push({ code: 'mediaRequired', message: t('limits.mediaRequired', {}, locale) });
  } else if (draft.media.length > INSTAGRAM_MAX_MEDIA) {
    problems.push({ code: 'tooManyMedia', message: t('limits.tooManyMedia', { count: draft.media.length, limit: INSTAGRAM_MAX_MEDIA }, locale) });
  }
  for (const media of draft.media) {
    if (media.kind === 'video') {
      if (!(INSTAGRAM_VIDEO_TYPES as readonly string[]).includes(media.mimeType)) {
        problems.push({
          code: 'videoFormat',
          message: locale === 'en' ? 'The video must be an MP4 or MOV file.' : 'Videon måste vara en MP4- eller MOV-fil.',
        });
      }
      continue;
    }
    if (!(INSTAGRAM_IMAGE_TYPES as readonly string[]).includes(media.mimeType)) {
      problems.push({ code: 'imageFormat', message: t('limits.imageFormat', {}, locale) });
    }
    if (media.sizeBytes > INSTAGRAM_MAX_IMAGE_BYTES) {
      problems.push({
        code: 'imageTooLarge',
        message: t('limits.imageTooLarge', { size: formatMegabytes(media.sizeBytes, locale), limit: INSTAGRAM_MAX_IMAGE_MB }, locale),
      });
    }
    if (media.width && media.height && !isInstagramAspectRatioAllowed(media.width, media.height)) {
      problems.push({ code: 'aspectRatio', message: t('limits.aspectRatio', { ratio: formatRatio(media.width, media.height, locale) }, locale) });
    }
  }
  return { ok: problems.length === 0, length, limit: INSTAGRAM_MAX_CAPTION_CHARS, problems };
}
