/**
 * The planning calendar's periods in city time (Europe/Stockholm): ISO weeks (Monday first, week 1 holds 4 January)
 * and months. Pure, so the page, its tests and any export agree; days are city midnights (23 or 25 hours at DST).
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, addWeeks, format, getISOWeek, getISOWeekYear, startOfISOWeek, startOfMonth } from 'date-fns';
import { CITY_TIME_ZONE, MAX_YEAR, MIN_YEAR } from './time';

export interface Period {
  kind: 'week' | 'month';
  /** "2026-W49" or "2026-12". */
  key: string;
  start: Date;
  /** Exclusive. */
  end: Date;
  /** The days shown, city midnights; a month view fills whole ISO weeks. */
  days: Date[];
  prev: string;
  next: string;
}

/** Plain Dates out (TZDate prints its own offset and would leak into JSON and ISO strings). */
const plain = (d: Date) => new Date(d.getTime());
const city = (y: number, m: number, d: number) => new TZDate(y, m, d, CITY_TIME_ZONE);

// sv-SE writes dates the ISO way (2026-12-03); one formatter, built once, is much cheaper than a TZDate per call.
const dayFormat = new Intl.DateTimeFormat('sv-SE', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: CITY_TIME_ZONE });

/** The city-time calendar day of an instant, "yyyy-MM-dd". */
export function dayKey(date: Date): string {
  return dayFormat.format(date);
}

export function weekKeyOf(date: Date): string {
  const d = new TZDate(date, CITY_TIME_ZONE);
  return `${getISOWeekYear(d)}-W${String(getISOWeek(d)).padStart(2, '0')}`;
}

export function monthKeyOf(date: Date): string {
  return format(new TZDate(date, CITY_TIME_ZONE), 'yyyy-MM');
}

function weekStart(year: number, week: number): TZDate {
  return addWeeks(startOfISOWeek(city(year, 0, 4)), week - 1);
}

/** "2026-W49" → that ISO week, or null when it does not exist (week 53 only in long years). */
export function weekPeriod(key: string): Period | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < MIN_YEAR || year > MAX_YEAR || week < 1 || week > 53) return null;
  const start = weekStart(year, week);
  if (getISOWeekYear(start) !== year || getISOWeek(start) !== week) return null;
  const days = Array.from({ length: 7 }, (_, i) => plain(addDays(start, i)));
  const end = addDays(start, 7);
  return { kind: 'week', key, start: plain(start), end: plain(end), days, prev: weekKeyOf(addDays(start, -7)), next: weekKeyOf(end) };
}

/** "2026-12" → that month, shown as the whole ISO weeks it touches, or null. */
export function monthPeriod(key: string): Period | null {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return null;
  const start = startOfMonth(city(year, month - 1, 1));
  const end = addMonths(start, 1);
  const days: Date[] = [];
  for (let d: Date = startOfISOWeek(start); d.getTime() < end.getTime() || days.length % 7 !== 0; d = addDays(d, 1)) days.push(plain(d));
  return { kind: 'month', key, start: plain(start), end: plain(end), days, prev: monthKeyOf(addMonths(start, -1)), next: monthKeyOf(end) };
}
