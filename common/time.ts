import { TZDate, tz } from '@date-fns/tz';
import { addWeeks, format, getISOWeek, getISOWeeksInYear, getISOWeekYear, startOfISOWeek } from 'date-fns';
import { enGB, sv } from 'date-fns/locale';
import { t, type Locale } from './i18n';

/** Every date the console shows is in the city's own time zone, whatever the server's. */
export const CITY_TIME_ZONE = 'Europe/Stockholm';
const inCity = tz(CITY_TIME_ZONE);

export function formatDateTime(date: Date | string, locale: Locale = 'sv'): string {
  return format(new Date(date), 'd MMM yyyy HH:mm', { in: inCity, locale: locale === 'sv' ? sv : enGB });
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (a calendar of 300 posts spent most of
// its render building them), so each shape is built once.
const clockFormat = new Intl.DateTimeFormat('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: CITY_TIME_ZONE });
const monthFormats: Record<Locale, Intl.DateTimeFormat> = {
  sv: new Intl.DateTimeFormat('sv-SE', { month: 'long', year: 'numeric', timeZone: CITY_TIME_ZONE }),
  en: new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: CITY_TIME_ZONE }),
};

/** The time of day in city time, 24-hour ("07:05"). */
export function formatClock(date: Date | string): string {
  return clockFormat.format(new Date(date));
}

/** A month and year in city time ("december 2026"). */
export function formatMonth(date: Date | string, locale: Locale = 'sv'): string {
  return monthFormats[locale].format(new Date(date));
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

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/** The two readings of a repeated hour on the day winter time starts. */
export type CityOffset = '+02:00' | '+01:00';

export type CityTimeResult =
  | { ok: true; date: Date }
  | { ok: false; reason: 'format' | 'invalid' | 'year' | 'nonexistent' | 'past'; message: string }
  | { ok: false; reason: 'ambiguous'; message: string; options: { offset: CityOffset; date: Date }[] };

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/;

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/**
 * Reads a city-time value (<input type="datetime-local">, optionally with an explicit offset) strictly: an impossible
 * date or clock time is refused, never rolled over (2026-02-30 is not 2 March). Daylight saving is decided, not
 * guessed: the hour that does not exist on the spring-forward day is refused naming the valid times, and the repeated
 * hour in autumn must be chosen (`offset`, or an offset in the value). With `notBefore`, earlier times are refused.
 */
export function parseCityLocalInput(
  value: string,
  options: { offset?: CityOffset; notBefore?: Date; locale?: Locale } = {},
): CityTimeResult {
  const locale = options.locale ?? 'sv';
  const m = localPattern.exec(value);
  if (!m) return { ok: false, reason: 'format', message: t('compose.badTime', {}, locale) };
  const [, ys, mos, ds, hs, mis, ss, explicit] = m;
  const [y, mo, d, h, mi, sec] = [ys, mos, ds, hs, mis, ss ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (y < MIN_YEAR || y > MAX_YEAR) return { ok: false, reason: 'year', message: t('time.yearRange', { min: MIN_YEAR, max: MAX_YEAR }, locale) };
  const daysInMonth = mo >= 1 && mo <= 12 ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || sec > 59) {
    return { ok: false, reason: 'invalid', message: t('time.invalid', { value }, locale) };
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  const wallText = `${ys}-${mos}-${ds}T${hs}:${mis}`;
  const isWall = (instant: Date) => toCityLocalInput(instant) === wallText;
  const chosen = explicit ?? options.offset;
  const dateText = `${ys}-${mos}-${ds}`;
  const timeText = `${hs}:${mis}`;
  let date: Date;
  if (chosen) {
    date = new Date(wall - offsetMinutes(chosen) * 60_000);
    if (!isWall(date)) return { ok: false, reason: 'invalid', message: t('time.invalid', { value: `${wallText}${chosen}` }, locale) };
  } else {
    const readings = (['+02:00', '+01:00'] as const)
      .map((offset) => ({ offset, date: new Date(wall - offsetMinutes(offset) * 60_000) }))
      .filter((r) => isWall(r.date));
    if (readings.length === 0) {
      return { ok: false, reason: 'nonexistent', message: t('time.nonexistent', { time: timeText, date: dateText }, locale) };
    }
    if (readings.length > 1) {
      return {
        ok: false,
        reason: 'ambiguous',
        message: t('time.ambiguous', { time: timeText, date: dateText, first: `${timeText}+02:00`, second: `${timeText}+01:00` }, locale),
        options: readings,
      };
    }
    date = readings[0]!.date;
  }
  if (options.notBefore && date.getTime() < options.notBefore.getTime()) {
    return { ok: false, reason: 'past', message: t('time.past', { value: formatDateTime(date, locale) }, locale) };
  }
  return { ok: true, date };
}

/** "2026-W53": the ISO week label the roster, the CLI and the exports use. */
export function isoWeekLabel(date: Date | string): string {
  const { week, year } = isoWeek(date);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export type IsoWeekResult =
  | { ok: true; year: number; week: number; label: string; start: Date; end: Date }
  | { ok: false; reason: 'format' | 'week' | 'year'; message: string };

/** The Monday 00:00 city time that starts ISO week 1 of `year` (the week holding 4 January). */
function isoYearStart(year: number): Date {
  const jan4 = new TZDate(year, 0, 4, CITY_TIME_ZONE);
  return startOfISOWeek(jan4);
}

/**
 * A week's access window: Monday 00:00 up to (not including) the next Monday 00:00, Europe/Stockholm. Computed on
 * the city's wall clock, so a week holding a daylight-saving change is 167 or 169 hours long, as it really is.
 */
export function parseIsoWeek(value: string, locale: Locale = 'sv'): IsoWeekResult {
  const m = /^(\d{4})-W(\d{2})$/.exec(value);
  if (!m) return { ok: false, reason: 'format', message: t('time.weekFormat', { value: value.slice(0, 40) }, locale) };
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, reason: 'year', message: t('time.yearRange', { min: MIN_YEAR, max: MAX_YEAR }, locale) };
  const weeks = getISOWeeksInYear(new TZDate(year, 5, 1, CITY_TIME_ZONE));
  if (week < 1 || week > weeks) return { ok: false, reason: 'week', message: t('time.weekRange', { year, weeks }, locale) };
  const first = isoYearStart(year);
  const start = addWeeks(first, week - 1);
  const end = addWeeks(start, 1);
  return { ok: true, year, week, label: value, start: new Date(start.getTime()), end: new Date(end.getTime()) };
}

/**
 * An ISO 8601 instant for scripts (`--at 2026-12-28T00:00:00+01:00`, `…Z`, or city time without an offset). Strict:
 * 2026-02-30 or 25:61 is refused, not rolled over.
 */
export function parseInstant(value: string, locale: Locale = 'sv'): CityTimeResult {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return { ok: false, reason: 'format', message: t('time.invalid', { value: value.slice(0, 40) }, locale) };
  const [, ys, mos, ds, hs, mis, ss, offset] = m;
  if (!offset) return parseCityLocalInput(`${ys}-${mos}-${ds}T${hs}:${mis}${ss ? `:${ss}` : ''}`, { locale });
  const [y, mo, d, h, mi, sec] = [ys, mos, ds, hs, mis, ss ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (y < MIN_YEAR || y > MAX_YEAR) return { ok: false, reason: 'year', message: t('time.yearRange', { min: MIN_YEAR, max: MAX_YEAR }, locale) };
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  const offsetOk = offset === 'Z' || (Number(offset.slice(1, 3)) <= 14 && Number(offset.slice(4, 6)) <= 59);
  if (!offsetOk || wall.getUTCFullYear() !== y || wall.getUTCMonth() !== mo - 1 || wall.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) {
    return { ok: false, reason: 'invalid', message: t('time.invalid', { value }, locale) };
  }
  return { ok: true, date: new Date(wall.getTime() - offsetMinutes(offset) * 60_000) };
}

export type CityDateResult = { ok: true; start: Date; end: Date } | { ok: false; reason: 'format' | 'invalid' | 'year'; message: string };

/**
 * A calendar date (YYYY-MM-DD) in city time, read strictly (2026-02-30 is refused, not rolled over): the instant the day
 * starts and the instant the next day starts, so a range "from D1 to D2" is [start(D1), end(D2)) whatever the DST.
 * Messages in English: the CLI's only caller so far.
 */
export function parseCityDate(value: string): CityDateResult {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return { ok: false, reason: 'format', message: `not a date (YYYY-MM-DD): ${JSON.stringify(value.slice(0, 40))}` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return { ok: false, reason: 'year', message: `year must be between ${MIN_YEAR} and ${MAX_YEAR}: ${value}` };
  const daysInMonth = mo >= 1 && mo <= 12 ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return { ok: false, reason: 'invalid', message: `no such date: ${value}` };
  const start = new TZDate(y, mo - 1, d, CITY_TIME_ZONE);
  const end = new TZDate(y, mo - 1, d + 1, CITY_TIME_ZONE);
  return { ok: true, start: new Date(start.getTime()), end: new Date(end.getTime()) };
}
