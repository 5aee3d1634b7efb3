/**
 * Swedish public holidays (lag (1989:253) om allmänna helgdagar) and the days treated like them at work
 * (midsommarafton, julafton, nyårsafton), for answer-time targets. Dates are calendar dates in Europe/Stockholm,
 * written "YYYY-MM-DD". Pure.
 */

export interface Holiday {
  date: string;
  name: string;
  /** False for the eves, which are not allmänna helgdagar in law but on which the city's offices are closed. */
  official: boolean;
}

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** Easter Sunday (Gregorian), the anonymous algorithm (Meeus/Jones/Butcher). Month is 1-based. */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

/** Calendar arithmetic on dates only (UTC midnight stands for the date; no time zone is involved). */
function shift(y: number, m: number, d: number, days: number): string {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The weekday (0 = Sunday … 6 = Saturday) of a date. */
function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The first date from (m, d) on that falls on `wd`. */
function firstWeekdayFrom(y: number, m: number, d: number, wd: number): string {
  return shift(y, m, d, (wd - weekday(y, m, d) + 7) % 7);
}

export function swedishHolidays(year: number): Holiday[] {
  const e = easterSunday(year);
  const easter = (days: number) => shift(year, e.month, e.day, days);
  const midsommardagen = firstWeekdayFrom(year, 6, 20, 6); // the Saturday 20–26 June
  const [, mm, md] = midsommardagen.split('-').map(Number) as [number, number, number];
  return [
    { date: iso(year, 1, 1), name: 'Nyårsdagen', official: true },
    { date: iso(year, 1, 6), name: 'Trettondedag jul', official: true },
    { date: easter(-2), name: 'Långfredagen', official: true },
    { date: easter(0), name: 'Påskdagen', official: true },
    { date: easter(1), name: 'Annandag påsk', official: true },
    { date: iso(year, 5, 1), name: 'Första maj', official: true },
    { date: easter(39), name: 'Kristi himmelsfärdsdag', official: true },
    { date: easter(49), name: 'Pingstdagen', official: true },
    { date: iso(year, 6, 6), name: 'Sveriges nationaldag', official: true },
    { date: shift(year, mm, md, -1), name: 'Midsommarafton', official: false },
    { date: midsommardagen, name: 'Midsommardagen', official: true },
    { date: firstWeekdayFrom(year, 10, 31, 6), name: 'Alla helgons dag', official: true }, // the Saturday 31 Oct–6 Nov
    { date: iso(year, 12, 24), name: 'Julafton', official: false },
    { date: iso(year, 12, 25), name: 'Juldagen', official: true },
    { date: iso(year, 12, 26), name: 'Annandag jul', official: true },
    { date: iso(year, 12, 31), name: 'Nyårsafton', official: false },
  ].sort((a, b) => a.date.localeCompare(b.date));
}

const cache = new Map<number, Set<string>>();

export function isSwedishHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  let set = cache.get(year);
  if (!set) {
    set = new Set(swedishHolidays(year).map((h) => h.date));
    cache.set(year, set);
  }
  return set.has(date);
}

/** A working day: Monday to Friday and not a holiday or a holiday eve. */
export function isWorkingDay(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = weekday(y, m, d);
  return wd !== 0 && wd !== 6 && !isSwedishHoliday(date);
}
