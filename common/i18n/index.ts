import { en } from './en';
import { sv, type MessageKey } from './sv';

export type { MessageKey };
export const locales = ['sv', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'sv';

const catalogues: Record<Locale, Record<MessageKey, string>> = { sv, en };

export type MessageParams = Record<string, string | number>;

/** Looks a message up and fills `{name}` placeholders. Pure: safe in the browser, the worker and the CLI. */
export function t(key: MessageKey, params: MessageParams = {}, locale: Locale = defaultLocale): string {
  const template = catalogues[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Whether a string names a message: zod schemas carry catalogue keys as their error messages. */
export function isMessageKey(value: string): value is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogues.sv, value);
}
