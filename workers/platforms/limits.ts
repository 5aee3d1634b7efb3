/**
 * The limit checks of every platform, without their adapters: pure functions the browser (composer feedback), the
 * CLI (`utrop check`) and the worker (last check before publishing) share.
 */
import type { Draft, LimitReport, Platform } from './contract';
import type { Locale } from '../../common/i18n';
import { checkXLimits } from './x/limits';
import { checkFacebookLimits } from './facebook/limits';
import { checkInstagramLimits } from './instagram/limits';
import { checkYoutubeLimits } from './youtube/limits';

export const limitCheckers = {
  x: checkXLimits,
  facebook: checkFacebookLimits,
  instagram: checkInstagramLimits,
  youtube: checkYoutubeLimits,
} satisfies Record<Platform, (draft: Draft, locale?: Locale) => LimitReport>;

export function checkLimitsFor(platform: Platform, draft: Draft, locale?: Locale): LimitReport {
  return limitCheckers[platform](draft, locale);
}
