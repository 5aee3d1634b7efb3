import { describe, expect, it } from 'vitest';
import { parseCityLocalInput } from '../../common/time';

describe('parseCityLocalInput: strict city time', () => {
  it('reads a normal winter and summer time', () => {
    expect(parseCityLocalInput('2031-12-20T09:30')).toEqual({ ok: true, date: new Date('2031-12-20T08:30:00Z') });
    expect(parseCityLocalInput('2026-06-01T12:00')).toEqual({ ok: true, date: new Date('2026-06-01T10:00:00Z') });
  });

  it.each([
    ['2026-02-30T25:61', 'invalid'],
    ['2026-02-30T10:00', 'invalid'],
    ['2026-02-29T10:00', 'invalid'],
    ['2026-13-01T10:00', 'invalid'],
    ['2026-00-10T10:00', 'invalid'],
    ['2026-04-31T10:00', 'invalid'],
    ['2026-01-01T24:00', 'invalid'],
    ['2026-01-01T10:60', 'invalid'],
    ['0000-01-01T10:00', 'year'],
    ['1999-12-31T23:59', 'year'],
    ['99999-01-01T10:00', 'format'],
    ['2026-1-1T10:00', 'format'],
    ['2026-01-01 10:00', 'format'],
    ['', 'format'],
    ['2026-01-01T10:00\n', 'format'],
  ])('refuses %j (%s) instead of normalising it', (value, reason) => {
    const r = parseCityLocalInput(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseCityLocalInput('2028-02-29T10:00').ok).toBe(true);
  });

  it('refuses the hour that does not exist when summer time starts, naming the valid times', () => {
    const r = parseCityLocalInput('2026-03-29T02:30');
    expect(r).toMatchObject({ ok: false, reason: 'nonexistent' });
    if (!r.ok) {
      expect(r.message).toContain('02:30');
      expect(r.message).toContain('före 02:00');
      expect(r.message).toContain('från 03:00');
    }
    expect(parseCityLocalInput('2026-03-29T03:00')).toEqual({ ok: true, date: new Date('2026-03-29T01:00:00Z') });
    expect(parseCityLocalInput('2026-03-29T01:59')).toEqual({ ok: true, date: new Date('2026-03-29T00:59:00Z') });
  });

  it('asks which of the repeated autumn hour is meant, and takes an explicit offset', () => {
    const r = parseCityLocalInput('2026-10-25T02:30');
    expect(r).toMatchObject({ ok: false, reason: 'ambiguous' });
    if (!r.ok && r.reason === 'ambiguous') {
      expect(r.message).toContain('+02:00');
      expect(r.message).toContain('+01:00');
      expect(r.options.map((o) => [o.offset, o.date.toISOString()])).toEqual([
        ['+02:00', '2026-10-25T00:30:00.000Z'],
        ['+01:00', '2026-10-25T01:30:00.000Z'],
      ]);
    }
    expect(parseCityLocalInput('2026-10-25T02:30', { offset: '+01:00' })).toEqual({ ok: true, date: new Date('2026-10-25T01:30:00Z') });
    expect(parseCityLocalInput('2026-10-25T02:30+02:00')).toEqual({ ok: true, date: new Date('2026-10-25T00:30:00Z') });
    // An offset the city does not have at that wall-clock time is refused, not silently shifted.
    expect(parseCityLocalInput('2026-07-01T12:00+01:00').ok).toBe(false);
  });

  it('refuses a time in the past and offers publishing now', () => {
    const r = parseCityLocalInput('2026-01-01T10:00', { notBefore: new Date('2026-06-01T00:00:00Z') });
    expect(r).toMatchObject({ ok: false, reason: 'past' });
    if (!r.ok) expect(r.message).toContain('publicera nu');
  });
});
