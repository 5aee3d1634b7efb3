/**
 * Answer-time targets for questions: a number of hours counted on working days only (Monday–Friday, Swedish
 * holidays and holiday eves excluded), in Europe/Stockholm. A question asked on Friday at 15:00 with 24 h is due on
 * Monday at 15:00; one asked on a Saturday is due 24 h after Monday begins. Pure.
 */
import { tz, TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { CITY_TIME_ZONE } from '../time';
import { isWorkingDay } from './holidays';

const inCity = tz(CITY_TIME_ZONE);
const cityDate = (d: Date) => format(d, 'yyyy-MM-dd', { in: inCity });

/** Midnight (city time) starting the city day after the one `d` is in. DST-safe: built from the calendar date. */
function nextCityMidnight(d: Date): Date {
  const [y, m, day] = cityDate(d).split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, day + 1, 0, 0, 0, CITY_TIME_ZONE).getTime());
}

export function answerDueAt(appearedAt: Date, hours: number): Date {
  let remaining = Math.max(0, hours) * 3_600_000;
  let cursor = new Date(appearedAt.getTime());
  // Bounded: even a year of holidays ends; 4000 days is far beyond any configured target.
  for (let i = 0; i < 4000; i += 1) {
    const dayEnd = nextCityMidnight(cursor);
    if (isWorkingDay(cityDate(cursor))) {
      const available = dayEnd.getTime() - cursor.getTime();
      if (remaining <= available) return new Date(cursor.getTime() + remaining);
      remaining -= available;
    }
    cursor = dayEnd;
  }
  return cursor;
}

export function isOverdue(dueAt: Date | null, now = new Date()): boolean {
  return dueAt !== null && dueAt.getTime() < now.getTime();
}
