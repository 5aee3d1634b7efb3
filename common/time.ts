import { TZDate, tz } from '@date-fns/tz';
import { format, getISOWeek, getISOWeekYear } from 'date-fns';
import { enGB, sv } from 'date-fns/locale';
import type { Locale } from './i18n';

/** Every date the console shows is in the city's own time zone, whatever the server's. */
export const CITY_TIME_ZONE = 'Europe/Stockholm';
const inCity = tz(CITY_TIME_ZONE);

export function formatDateTime(date: Date | string, locale: Locale = 'sv'): string {
  return format(new Date(date), 'd MMM yyyy HH:mm', { in: inCity, locale: locale === 'sv' ? sv : enGB });
}

export function formatLongDate(date: Date | string, locale: Locale = 'sv'): string {
  return format(new Date(date), 'EEEE d MMMM yyyy', { in: inCity, locale: locale === 'sv' ? sv : enGB });
}

/** ISO 8601 week number as Swedish calendars show it ("vecka 48"). */
export function isoWeek(date: Date | string): { week: number; year: number } {
  const d = new Date(date);
  return { week: getISOWeek(d, { in: inCity }), year: getISOWeekYear(d, { in: inCity }) };
}

/** A value for <input type="datetime-local"> in city time. */
export function toCityLocalInput(date: Date): string {
  return format(date, "yyyy-MM-dd'T'HH:mm", { in: inCity });
}

/** Reads an <input type="datetime-local"> value as city time (the browser sends no zone). */
export function fromCityLocalInput(value: string): Date {
  const [date, time] = value.split('T');
  const [y, m, d] = (date ?? '').split('-').map(Number);
  const [hh, mm] = (time ?? '').split(':').map(Number);
  return new TZDate(y ?? 0, (m ?? 1) - 1, d ?? 1, hh ?? 0, mm ?? 0, CITY_TIME_ZONE);
}
