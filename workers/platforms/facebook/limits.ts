/** Facebook Page post limits. Pure (no I/O): the composer in the browser, the CLI and the worker all use it. */
import type { Draft, LimitProblem, LimitReport } from '../contract';
import { t, type Locale } from '../../../common/i18n';
import { countCharacters, formatMegabytes } from '../meta/text';

/** Widely cited (Postiz uses it); no Meta document states it (platforms.md §2.1). */
export const FACEBOOK_MAX_MESSAGE_CHARS = 63_206;
export const FACEBOOK_MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const FACEBOOK_MAX_PHOTO_MB = 10;

export interface FacebookPostShape {
  /** 'photo' posts go to /{page}/photos (several photos: unpublished uploads attached to a feed post). */
  kind: 'feed' | 'photo';
  message: string;
  /** The feed post's link field; photo posts have none, so their link is appended to the message instead. */
  link: string | null;
}

/** The one composition of a Facebook post, used by the limit check, the adapter and reconciliation. */
export function composeFacebookPost(input: {
  text: string;
  link?: string | null;
  media: readonly { kind: 'image' | 'video' }[];
}): FacebookPostShape {
  const text = input.text.trim();
  const link = input.link?.trim() || null;
  const hasPhotos = input.media.some((m) => m.kind === 'image');
  if (!hasPhotos) return { kind: 'feed', message: text, link };
  const message = link ? (text ? `${text}\n\n${link}` : link) : text;
  return { kind: 'photo', message, link: null };
}

export function checkFacebookLimits(draft: Draft, locale: Locale = 'sv'): LimitReport {
  const post = composeFacebookPost(draft);
  const length = countCharacters(post.message);
  const problems: LimitProblem[] = [];
  if (length > FACEBOOK_MAX_MESSAGE_CHARS) {
    problems.push({ code: 'tooLong', message: t('limits.tooLong', { length, limit: FACEBOOK_MAX_MESSAGE_CHARS }, locale) });
  }
  if (post.message === '' && !post.link && draft.media.length === 0) {
    problems.push({ code: 'empty', message: t('limits.empty', {}, locale) });
  }
  for (const media of draft.media) {
    if (media.kind === 'video') {
      problems.push({
        code: 'videoUnsupported',
        message:
          locale === 'en'
            ? 'Videos cannot be published to Facebook from Utrop yet.'
            : 'Videor kan ännu inte publiceras på Facebook från Utrop.',
      });
    } else if (media.sizeBytes > FACEBOOK_MAX_PHOTO_BYTES) {
      problems.push({
        code: 'imageTooLarge',
        message: t('limits.imageTooLarge', { size: formatMegabytes(media.sizeBytes, locale), limit: FACEBOOK_MAX_PHOTO_MB }, locale),
      });
    }
  }
  return { ok: problems.length === 0, length, limit: FACEBOOK_MAX_MESSAGE_CHARS, problems };
}
