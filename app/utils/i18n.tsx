import { useRouteLoaderData } from '@remix-run/react';
import { defaultLocale, t, type Locale, type MessageKey, type MessageParams } from '../../common/i18n';

export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale?: Locale }>('root');
  return data?.locale ?? defaultLocale;
}

/** `const tr = useT(); tr('nav.compose')` — messages in the signed-in user's language. */
export function useT() {
  const locale = useLocale();
  return (key: MessageKey, params?: MessageParams) => t(key, params, locale);
}
