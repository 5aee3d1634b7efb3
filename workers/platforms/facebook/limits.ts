/** Facebook Page post limits. Pure (no I/O): the composer in the browser, the CLI and the worker all use it. */
import type { Draft, LimitProblem, LimitReport } from '../contract';
import { t, type Locale } from '../../../common/i18n';
import { countCharacters, formatMegabytes } from '../meta/text';

/** Widely cited (Postiz uses it); no Meta document states it (platforms.md §2.1). */
export const FACEBOOK_MAX_MESSAGE_CHARS = 63_206;
export const FACEBOOK_MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const FACEBOOK_MAX_PHOTO_MB = 10;
/**
 * Page videos go up through the resumable upload (start / transfer / finish). [U] Meta's video guide names 10 GB
 * for resumable uploads; Utrop's own media upload limit is far below it, so this only guards odd imports.
 */
export const FACEBOOK_MAX_VIDEO_BYTES = 10 * 1024 * 1024 * 1024;
export const FACEBOOK_MAX_VIDEO_MB = 10 * 1024;
/** What the simulator and the adapter accept; Meta lists more containers, these are the ones the console produces. */
export const FACEBOOK_VIDEO_TYPES = ['video/mp4', 'video/quicktime'] as const;
/** Bytes per transfer request when Graph has not said (resuming from a checkpoint); Graph's own chunks are ~4 MB. */
export const FACEBOOK_VIDEO_CHUNK_BYTES = 4 * 1024 * 1024;

export interface FacebookPostShape {
  /**
   * 'photo' posts go to /{page}/photos (several photos: unpublished uploads attached to a feed post); a 'video'
   * post is one video through /{page}/videos, its text as the description.
   */
  kind: 'feed' | 'photo' | 'video';
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
  const hasVideo = input.media.some((m) => m.kind === 'video');
  if (!hasPhotos && !hasVideo) return { kind: 'feed', message: text, link };
  // Neither a photo nor a video post has a link field, so the link goes into the text.
  const message = link ? (text ? `${text}\n\n${link}` : link) : text;
  return { kind: hasVideo ? 'video' : 'photo', message, link: null };
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
  const videos = draft.media.filter((m) => m.kind === 'video');
  if (videos.length > 0 && draft.media.length > 1) {
    problems.push({ code: 'mediaMix', message: t('limits.mediaMix', {}, locale) });
  }
  for (const media of draft.media) {
    if (media.kind === 'video') {
      if (!(FACEBOOK_VIDEO_TYPES as readonly string[]).includes(media.mimeType.toLowerCase())) {
        problems.push({
          code: 'videoFormat',
          message: locale === 'en' ? 'The video must be an MP4 or MOV file.' : 'Videon måste vara en MP4- eller MOV-fil.',
        });
      }
      if (media.sizeBytes > FACEBOOK_MAX_VIDEO_BYTES) {
        const size = formatMegabytes(media.sizeBytes, locale);
        problems.push({
          code: 'videoTooLarge',
          message:
            locale === 'en'
              ? `The video is too large: ${size} MB of at most ${FACEBOOK_MAX_VIDEO_MB} MB.`
              : `Videon är för stor: ${size} MB av högst ${FACEBOOK_MAX_VIDEO_MB} MB.`,
        });
      }
    } else if (media.sizeBytes > FACEBOOK_MAX_PHOTO_BYTES) {
      problems.push({
        code: 'imageTooLarge',
        message: t('limits.imageTooLarge', { size: formatMegabytes(media.sizeBytes, locale), limit: FACEBOOK_MAX_PHOTO_MB }, locale),
      });
    }
  }
  return { ok: problems.length === 0, length, limit: FACEBOOK_MAX_MESSAGE_CHARS, problems };
}
