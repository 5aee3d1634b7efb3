/**
 * The one way a post is checked against a platform's limits: the composer/use-case (createPost) and the
 * worker's last check before sending both call this, so they can never disagree.
 */
import type { Draft, DraftMedia, LimitProblem, Platform } from '../platforms/contract';
import { checkLimitsFor } from '../platforms/limits';
import type { Locale } from '../../common/i18n';

export interface DraftSource {
  text: string;
  link?: string | null;
  title?: string | null;
  media: { kind: 'image' | 'video'; mimeType: string; sizeBytes: number; width?: number | null; height?: number | null }[];
}

export function draftOf(source: DraftSource): Draft {
  return {
    text: source.text,
    link: source.link ?? null,
    title: source.title ?? null,
    media: source.media.map(
      (m): DraftMedia => ({
        kind: m.kind,
        mimeType: m.mimeType,
        sizeBytes: m.sizeBytes,
        ...(m.width != null ? { width: m.width } : {}),
        ...(m.height != null ? { height: m.height } : {}),
      }),
    ),
  };
}

export function checkDraft(platform: Platform, source: DraftSource, locale: Locale = 'sv'): LimitProblem[] {
  const report = checkLimitsFor(platform, draftOf(source), locale);
  return report.ok ? [] : report.problems;
}

export function mediaKindOf(mimeType: string): 'image' | 'video' | null {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  return null;
}

/** What a post needs but a reply (a comment under a post) does not: the post's own media and title. */
const postOnlyProblems = new Set(['mediaRequired', 'videoRequired', 'titleRequired']);

/** The check for a reply from the inbox: the same platform rules on its text, without the post-only ones. */
export function checkReply(platform: Platform, text: string, locale: Locale = 'sv'): LimitProblem[] {
  return checkDraft(platform, { text, media: [] }, locale).filter((p) => !postOnlyProblems.has(p.code));
}
