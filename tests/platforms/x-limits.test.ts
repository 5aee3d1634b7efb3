import { describe, expect, it } from 'vitest';
import type { DraftMedia } from '../../workers/platforms/contract';
import { X_LIMITS, checkXLimits, composeXText } from '../../workers/platforms/x/limits';

const MB = 1024 * 1024;
const image = (sizeBytes = 100_000, mimeType = 'image/jpeg'): DraftMedia => ({ kind: 'image', mimeType, sizeBytes });
const video = (sizeBytes = 5 * MB): DraftMedia => ({ kind: 'video', mimeType: 'video/mp4', sizeBytes });

describe('composeXText', () => {
  it('puts the link on its own paragraph', () => {
    expect(composeXText({ text: 'Läs mer', link: 'https://helsingborg.se/a' })).toBe(
      'Läs mer\n\nhttps://helsingborg.se/a',
    );
  });

  it('does not repeat a link that is already in the text', () => {
    const text = 'Läs mer på https://helsingborg.se/a i dag';
    expect(composeXText({ text, link: 'https://helsingborg.se/a' })).toBe(text);
  });

  it('leaves the text alone without a link and sends only the link without text', () => {
    expect(composeXText({ text: 'Hej ', link: null })).toBe('Hej ');
    expect(composeXText({ text: '  ', link: 'https://helsingborg.se' })).toBe('https://helsingborg.se');
  });
});

describe('checkXLimits', () => {
  it('accepts exactly 280 weighted characters and refuses 281 with a Swedish message', () => {
    expect(checkXLimits({ text: 'a'.repeat(280), media: [] })).toMatchObject({ ok: true, length: 280, limit: 280 });
    const report = checkXLimits({ text: 'a'.repeat(281), media: [] });
    expect(report.ok).toBe(false);
    expect(report.length).toBe(281);
    expect(report.problems).toEqual([{ code: 'tooLong', message: 'Texten är för lång: 281 av högst 280 tecken.' }]);
  });

  it('answers in English when asked', () => {
    const report = checkXLimits({ text: 'a'.repeat(281), media: [] }, 'en');
    expect(report.problems[0]?.message).not.toMatch(/Texten/);
  });

  it('counts every URL as 23, including a bare domain and the appended link', () => {
    const long = `https://helsingborg.se/${'x'.repeat(200)}`;
    expect(checkXLimits({ text: long, media: [] }).length).toBe(X_LIMITS.transformedUrlLength);
    expect(checkXLimits({ text: 'helsingborg.se', media: [] }).length).toBe(23);
    // "Hej" + two newlines + link = 3 + 2 + 23
    expect(checkXLimits({ text: 'Hej', link: long, media: [] }).length).toBe(28);
  });

  it('weighs emoji sequences and CJK as two', () => {
    expect(checkXLimits({ text: '😀', media: [] }).length).toBe(2);
    expect(checkXLimits({ text: '👨‍👩‍👧', media: [] }).length).toBe(2);
    expect(checkXLimits({ text: '🇸🇪', media: [] }).length).toBe(2);
    expect(checkXLimits({ text: '日本語', media: [] }).length).toBe(6);
    expect(checkXLimits({ text: '日'.repeat(141), media: [] }).ok).toBe(false);
    expect(checkXLimits({ text: 'åäö'.repeat(93) + 'å', media: [] })).toMatchObject({ ok: true, length: 280 });
  });

  it('refuses empty text without media but allows media-only posts', () => {
    expect(checkXLimits({ text: '', media: [] }).problems.map((p) => p.code)).toEqual(['empty']);
    expect(checkXLimits({ text: '', media: [image()] }).ok).toBe(true);
  });

  it('flags characters X refuses', () => {
    expect(checkXLimits({ text: 'Hej\uFFFE', media: [] }).problems.map((p) => p.code)).toEqual(['invalidChars']);
  });

  it('allows up to four images, not five', () => {
    expect(checkXLimits({ text: 'Bilder', media: [image(), image(), image(), image()] }).ok).toBe(true);
    const report = checkXLimits({ text: 'Bilder', media: [image(), image(), image(), image(), image()] });
    expect(report.problems).toEqual([{ code: 'tooManyMedia', message: 'För många bilagor: 5 av högst 4.' }]);
  });

  it('allows one video or GIF alone, never mixed with images or another video', () => {
    expect(checkXLimits({ text: 'Film', media: [video()] }).ok).toBe(true);
    expect(checkXLimits({ text: 'Film', media: [video(), image()] }).problems.map((p) => p.code)).toEqual(['mediaMix']);
    expect(
      checkXLimits({ text: 'Gif', media: [image(1000, 'image/gif'), image()] }).problems.map((p) => p.code),
    ).toEqual(['mediaMix']);
    expect(checkXLimits({ text: 'Film', media: [video(), video()] }).problems.map((p) => p.code)).toEqual([
      'tooManyMedia',
    ]);
  });

  it('limits images to 5 MB (GIFs 15 MB, video 512 MB)', () => {
    expect(checkXLimits({ text: 'Bild', media: [image(5 * MB)] }).ok).toBe(true);
    const report = checkXLimits({ text: 'Bild', media: [image(6.5 * MB)] });
    expect(report.problems).toEqual([{ code: 'imageTooLarge', message: 'Bilden är för stor: 6,5 MB av högst 5 MB.' }]);
    expect(checkXLimits({ text: 'Gif', media: [image(10 * MB, 'image/gif')] }).ok).toBe(true);
    expect(checkXLimits({ text: 'Film', media: [video(600 * MB)] }).problems.map((p) => p.code)).toEqual([
      'videoTooLarge',
    ]);
  });

  it('refuses file formats X does not take', () => {
    const report = checkXLimits({ text: 'Bild', media: [image(1000, 'image/tiff')] });
    expect(report.problems.map((p) => p.code)).toEqual(['mediaFormat']);
    expect(report.problems[0]?.message).toContain('image/tiff');
  });
});
