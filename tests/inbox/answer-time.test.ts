import { describe, expect, it } from 'vitest';
import { easterSunday, isWorkingDay, swedishHolidays } from '../../common/inbox/holidays';
import { answerDueAt, isOverdue } from '../../common/inbox/answer-time';

const names = (year: number) => Object.fromEntries(swedishHolidays(year).map((h) => [h.name, h.date]));

describe('Swedish holidays', () => {
  it('computes Easter and the days that follow it (known dates from the almanac)', () => {
    expect(easterSunday(2024)).toEqual({ month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ month: 4, day: 20 });
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2038)).toEqual({ month: 4, day: 25 }); // the latest possible
    expect(easterSunday(2285)).toEqual({ month: 3, day: 22 }); // the earliest possible
    expect(names(2026)).toMatchObject({
      Långfredagen: '2026-04-03',
      'Annandag påsk': '2026-04-06',
      'Kristi himmelsfärdsdag': '2026-05-14',
      Pingstdagen: '2026-05-24',
    });
  });

  it('midsommar is the Friday and Saturday between 19 and 26 June; Alla helgons dag the Saturday 31 Oct–6 Nov', () => {
    expect(names(2026)).toMatchObject({ Midsommarafton: '2026-06-19', Midsommardagen: '2026-06-20', 'Alla helgons dag': '2026-10-31' });
    expect(names(2027)).toMatchObject({ Midsommarafton: '2027-06-25', Midsommardagen: '2027-06-26', 'Alla helgons dag': '2027-11-06' });
    expect(names(2025)).toMatchObject({ Midsommarafton: '2025-06-20', Midsommardagen: '2025-06-21', 'Alla helgons dag': '2025-11-01' });
  });

  it('working days exclude weekends, holidays and holiday eves, but not ordinary weekdays next to them', () => {
    expect(isWorkingDay('2026-06-19')).toBe(false); // midsommarafton, a Friday
    expect(isWorkingDay('2026-06-18')).toBe(true);
    expect(isWorkingDay('2026-12-24')).toBe(false);
    expect(isWorkingDay('2026-12-25')).toBe(false);
    expect(isWorkingDay('2026-12-28')).toBe(true);
    expect(isWorkingDay('2026-06-06')).toBe(false); // Saturday and national day
    expect(isWorkingDay('2027-01-06')).toBe(false); // trettondedag, a Wednesday
    expect(isWorkingDay('2027-01-07')).toBe(true);
  });
});

describe('answer-time target (24 h on working days)', () => {
  it('a question on Thursday before midsommar is due on Monday at the same hour', () => {
    // 15:00 CEST on Thursday 18 June 2026: Friday (midsommarafton) and the weekend do not count.
    expect(answerDueAt(new Date('2026-06-18T13:00:00Z'), 24).toISOString()).toBe('2026-06-22T13:00:00.000Z');
  });

  it('a question before Christmas waits until after annandag jul and the weekend', () => {
    // 10:00 CET on 23 December 2026 (Wednesday): 24, 25, 26 (Sat) and 27 (Sun) December do not count.
    expect(answerDueAt(new Date('2026-12-23T09:00:00Z'), 24).toISOString()).toBe('2026-12-28T09:00:00.000Z');
  });

  it('a question on Saturday starts counting on Monday; Friday afternoon carries over; across the DST change', () => {
    expect(answerDueAt(new Date('2026-11-07T10:00:00Z'), 24).toISOString()).toBe('2026-11-09T23:00:00.000Z'); // Mon 00:00 CET + 24 h
    // Friday 27 March 2026 15:00 CET; clocks go forward on Sunday: Monday 15:00 CEST.
    expect(answerDueAt(new Date('2026-03-27T14:00:00Z'), 24).toISOString()).toBe('2026-03-30T13:00:00.000Z');
    expect(answerDueAt(new Date('2026-03-24T08:00:00Z'), 8).toISOString()).toBe('2026-03-24T16:00:00.000Z');
  });

  it('overdue only after the target has passed', () => {
    const due = new Date('2026-06-22T13:00:00Z');
    expect(isOverdue(due, new Date('2026-06-22T12:59:59Z'))).toBe(false);
    expect(isOverdue(due, new Date('2026-06-22T13:00:01Z'))).toBe(true);
    expect(isOverdue(null, new Date())).toBe(false);
  });
});
