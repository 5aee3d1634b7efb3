import { isLocale, defaultLocale, type Locale } from '../../common/i18n';
import type { User } from '../../db/schema';

export const LOCALE_COOKIE = 'utrop_lang';

/** The chosen language: the browser's choice cookie, then the user's saved preference, then Swedish. */
export function localeFromRequest(request: Request, user: User | null): Locale {
  const cookie = request.headers.get('Cookie') ?? '';
  const match = /(?:^|;\s*)utrop_lang=(sv|en)\b/.exec(cookie);
  if (match && isLocale(match[1])) return match[1];
  if (user && isLocale(user.locale)) return user.locale;
  return defaultLocale;
}
