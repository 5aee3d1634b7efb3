/**
 * YouTube's limits on a video's metadata. Pure: the composer's browser bundle imports this file, so it must not
 * import the Google client or anything else with I/O.
 */
import { t, type Locale } from '../../../common/i18n';
import type { Draft, LimitProblem, LimitReport } from '../contract';

export const YOUTUBE_TITLE_MAX_CHARS = 100;
/** The API documents the description limit in bytes (UTF-8), not characters. */
export const YOUTUBE_DESCRIPTION_MAX_BYTES = 5000;
export const YOUTUBE_VIDEOS_PER_POST = 1;
/** YouTube rejects titles and descriptions containing these characters (invalidTitle / invalidDescription). */
export const YOUTUBE_FORBIDDEN_CHARS = /[<>]/;

/**
 * The one place the description is composed from the post's text and link, so the limit the composer shows is
 * measured on exactly the bytes the adapter uploads. The link is left out when the text already contains it.
 */
export function composeYoutubeDescription(text: string, link?: string | null): string {
  const body = text.trim();
  const url = link?.trim();
  if (!url || body.includes(url)) return body;
  return body ? `${body}\n\n${url}` : url;
}

/** Titles are counted in code points, so an emoji counts once rather than as two UTF-16 units. */
export function youtubeTitleLength(title: string): number {
  return [...title].length;
}

export function utf8ByteLength(value: string): number {
  return new TextEncoder().encode(value).length;
}

export function checkYoutubeLimits(draft: Draft, locale?: Locale): LimitReport {
  const problems: LimitProblem[] = [];
  const add = (code: LimitProblem['code'], message: string) => problems.push({ code, message });

  const title = draft.title?.trim() ?? '';
  const titleLength = youtubeTitleLength(title);
  if (!title) add('titleRequired', t('limits.titleRequired', {}, locale));
  if (titleLength > YOUTUBE_TITLE_MAX_CHARS) {
    add('titleTooLong', t('limits.titleTooLong', { length: titleLength, limit: YOUTUBE_TITLE_MAX_CHARS }, locale));
  }
  if (YOUTUBE_FORBIDDEN_CHARS.test(title)) add('titleChars', t('limits.titleChars', {}, locale));

  const description = composeYoutubeDescription(draft.text, draft.link);
  const descriptionBytes = utf8ByteLength(description);
  if (descriptionBytes > YOUTUBE_DESCRIPTION_MAX_BYTES) {
    add(
      'descriptionTooLong',
      t('limits.descriptionTooLong', { length: descriptionBytes, limit: YOUTUBE_DESCRIPTION_MAX_BYTES }, locale),
    );
  }
  if (YOUTUBE_FORBIDDEN_CHARS.test(description)) add('descriptionChars', t('limits.descriptionChars', {}, locale));

  const videos = draft.media.filter((m) => m.kind === 'video').length;
  const others = draft.media.length - videos;
  if (videos === 0) add('videoRequired', t('limits.videoRequired', {}, locale));
  if (videos > YOUTUBE_VIDEOS_PER_POST) {
    add('tooManyMedia', t('limits.tooManyMedia', { count: videos, limit: YOUTUBE_VIDEOS_PER_POST }, locale));
  }
  if (videos > 0 && others > 0) add('mediaMix', t('limits.mediaMix', {}, locale));

  return {
    ok: problems.length === 0,
    length: descriptionBytes,
    limit: YOUTUBE_DESCRIPTION_MAX_BYTES,
    problems,
  };
}
