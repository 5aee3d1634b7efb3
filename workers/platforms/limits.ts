/**
 * The limit checks of every platform, without their adapters: pure functions the browser (composer feedback), the
 * CLI (`utrop check`) and the worker (last check before publishing) share.
 */
import type { Draft, LimitReport, Platform } from './contract';
import type { Locale } from '../../common/i18n';
import { checkXLimits, composeXText } from './x/limits';
import { checkFacebookLimits, composeFacebookPost } from './facebook/limits';
import { checkInstagramLimits, composeInstagramCaption } from './instagram/limits';
import { checkYoutubeLimits, composeYoutubeDescription } from './youtube/limits';
export { twitterText } from './x/twitter-text';

export const limitCheckers = {
  x: checkXLimits,
  facebook: checkFacebookLimits,
  instagram: checkInstagramLimits,
  youtube: checkYoutubeLimits,
} satisfies Record<Platform, (draft: Draft, locale?: Locale) => LimitReport>;

export function checkLimitsFor(platform: Platform, draft: Draft, locale?: Locale): LimitReport {
  return limitCheckers[platform](draft, locale);
}

/** What a platform shows of a post: the text exactly as the adapter sends it, and the link it shows as a card. */
export interface PlatformPreviewText {
  text: string;
  /** The link the platform turns into a card (X and Facebook without media); null when it shows none. */
  cardLink: string | null;
  title: string | null;
}

/**
 * The composer's previews use the adapters' own compositions, so a preview never shows a text the platform would
 * not get (ADR 038): X puts the link on its own paragraph and shows the card only without media; Facebook keeps
 * the link as the feed post's card, or puts it in the text of a photo or video post; Instagram and YouTube put it
 * in the caption or description.
 */
export function previewTextFor(platform: Platform, draft: Draft): PlatformPreviewText {
  const link = draft.link?.trim() || null;
  switch (platform) {
    case 'x':
      return { text: composeXText(draft), cardLink: draft.media.length === 0 ? link : null, title: null };
    case 'facebook': {
      const shape = composeFacebookPost(draft);
      return { text: shape.message, cardLink: shape.link, title: null };
    }
    case 'instagram':
      return { text: composeInstagramCaption(draft), cardLink: null, title: null };
    case 'youtube':
      return { text: composeYoutubeDescription(draft.text, draft.link), cardLink: null, title: draft.title?.trim() || null };
  }
}
