/** Pure rules: the limit checks the composer shows and the Pacific-midnight quota reset. */
import { describe, expect, it } from 'vitest';
import type { Draft } from '../../workers/platforms/contract';
import { nextPacificMidnight } from '../../workers/platforms/youtube/errors';
import {
  checkYoutubeLimits,
  composeYoutubeDescription,
  YOUTUBE_DESCRIPTION_MAX_BYTES,
} from '../../workers/platforms/youtube/limits';

const video = { kind: 'video' as const, mimeType: 'video/mp4', sizeBytes: 600_000 };
const draft = (overrides: Partial<Draft> = {}): Draft => ({
  text: 'Stadsdagen börjar klockan 10.',
  link: null,
  title: 'Stadsdag',
  media: [video],
  ...overrides,
});
const codes = (d: Draft) => checkYoutubeLimits(d).problems.map((p) => p.code);

describe('composeYoutubeDescription', () => {
  it('appends the link after a blank line, once', () => {
    expect(composeYoutubeDescription('Hej', 'https://helsingborg.se')).toBe('Hej\n\nhttps://helsingborg.se');
    expect(composeYoutubeDescription('Läs https://helsingborg.se', 'https://helsingborg.se')).toBe(
      'Läs https://helsingborg.se',
    );
    expect(composeYoutubeDescription('  ', 'https://helsingborg.se')).toBe('https://helsingborg.se');
    expect(composeYoutubeDescription(' Hej ', null)).toBe('Hej');
  });
});

describe('checkYoutubeLimits', () => {
  it('accepts a titled video and reports the description in UTF-8 bytes', () => {
    const report = checkYoutubeLimits(draft({ text: 'Välkommen!', link: 'https://helsingborg.se' }));
    expect(report).toEqual({
      ok: true,
      length: new TextEncoder().encode('Välkommen!\n\nhttps://helsingborg.se').length,
      limit: YOUTUBE_DESCRIPTION_MAX_BYTES,
      problems: [],
    });
  });

  it('requires a title of at most 100 characters, counting an emoji once', () => {
    expect(codes(draft({ title: null }))).toEqual(['titleRequired']);
    expect(codes(draft({ title: '   ' }))).toEqual(['titleRequired']);
    expect(codes(draft({ title: '🎬'.repeat(100) }))).toEqual([]);
    const report = checkYoutubeLimits(draft({ title: 'a'.repeat(101) }));
    expect(report.problems).toEqual([
      { code: 'titleTooLong', message: 'Titeln är för lång: 101 av högst 100 tecken.' },
    ]);
  });

  it('refuses < and > in the title and the description', () => {
    expect(codes(draft({ title: 'Kul <3' }))).toEqual(['titleChars']);
    expect(codes(draft({ text: 'a > b' }))).toEqual(['descriptionChars']);
  });

  it('measures the description in bytes, not characters', () => {
    expect(checkYoutubeLimits(draft({ text: 'å'.repeat(2500) })).ok).toBe(true);
    const report = checkYoutubeLimits(draft({ text: 'å'.repeat(2501) }));
    expect(report).toMatchObject({ ok: false, length: 5002 });
    expect(report.problems[0]?.message).toBe('Beskrivningen är för lång: 5002 av högst 5000 byte.');
  });

  it('counts the link in the description limit', () => {
    const text = 'a'.repeat(4990);
    expect(checkYoutubeLimits(draft({ text })).ok).toBe(true);
    expect(codes(draft({ text, link: 'https://helsingborg.se' }))).toEqual(['descriptionTooLong']);
  });

  it('requires exactly one video and nothing else', () => {
    const image = { kind: 'image' as const, mimeType: 'image/jpeg', sizeBytes: 1000 };
    expect(codes(draft({ media: [] }))).toEqual(['videoRequired']);
    expect(codes(draft({ media: [image] }))).toEqual(['videoRequired']);
    expect(codes(draft({ media: [video, image] }))).toEqual(['mediaMix']);
    expect(codes(draft({ media: [video, video] }))).toEqual(['tooManyMedia']);
  });

  it('speaks English when asked', () => {
    expect(checkYoutubeLimits(draft({ title: '' }), 'en').problems[0]?.message).toBe('The video must have a title.');
  });
});

describe('nextPacificMidnight', () => {
  it('finds the next midnight in Los Angeles across daylight-saving changes', () => {
    // Winter (UTC−8).
    expect(nextPacificMidnight(new Date('2026-12-31T20:00:00Z')).toISOString()).toBe('2027-01-01T08:00:00.000Z');
    // The night clocks spring forward: midnight is still UTC−8, the next one UTC−7.
    expect(nextPacificMidnight(new Date('2026-03-08T07:30:00Z')).toISOString()).toBe('2026-03-08T08:00:00.000Z');
    expect(nextPacificMidnight(new Date('2026-03-08T08:30:00Z')).toISOString()).toBe('2026-03-09T07:00:00.000Z');
    // The night clocks fall back: midnight is UTC−7, the next one UTC−8.
    expect(nextPacificMidnight(new Date('2026-11-01T06:59:00Z')).toISOString()).toBe('2026-11-01T07:00:00.000Z');
    expect(nextPacificMidnight(new Date('2026-11-01T08:00:00Z')).toISOString()).toBe('2026-11-02T08:00:00.000Z');
    // Exactly at midnight: the next day's.
    expect(nextPacificMidnight(new Date('2026-07-01T07:00:00Z')).toISOString()).toBe('2026-07-02T07:00:00.000Z');
  });
});
