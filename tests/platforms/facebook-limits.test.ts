import { describe, expect, it } from 'vitest';
import {
  checkFacebookLimits,
  composeFacebookPost,
  FACEBOOK_MAX_MESSAGE_CHARS,
  FACEBOOK_MAX_PHOTO_BYTES,
  FACEBOOK_MAX_VIDEO_BYTES,
} from '../../workers/platforms/facebook/limits';

const jpeg = (sizeBytes = 1000) => ({ kind: 'image' as const, mimeType: 'image/jpeg', sizeBytes });

describe('composeFacebookPost', () => {
  it('keeps the link in its own field for feed posts', () => {
    expect(composeFacebookPost({ text: ' Hej ', link: 'https://helsingborg.se', media: [] })).toEqual({
      kind: 'feed',
      message: 'Hej',
      link: 'https://helsingborg.se',
    });
  });

  it('appends the link to the caption of photo posts', () => {
    expect(composeFacebookPost({ text: 'Hej', link: 'https://helsingborg.se', media: [jpeg()] })).toEqual({
      kind: 'photo',
      message: 'Hej\n\nhttps://helsingborg.se',
      link: null,
    });
    expect(composeFacebookPost({ text: '', link: 'https://helsingborg.se', media: [jpeg()] }).message).toBe('https://helsingborg.se');
  });
});

describe('checkFacebookLimits', () => {
  it('accepts text at the limit and counts characters, not UTF-16 units', () => {
    const report = checkFacebookLimits({ text: 'a'.repeat(FACEBOOK_MAX_MESSAGE_CHARS - 1) + '😀', media: [] });
    expect(report).toEqual({ ok: true, length: FACEBOOK_MAX_MESSAGE_CHARS, limit: FACEBOOK_MAX_MESSAGE_CHARS, problems: [] });
  });

  it('flags text over 63 206 characters in Swedish and English', () => {
    const draft = { text: 'a'.repeat(FACEBOOK_MAX_MESSAGE_CHARS + 1), media: [] };
    expect(checkFacebookLimits(draft).problems).toEqual([
      { code: 'tooLong', message: 'Texten är för lång: 63207 av högst 63206 tecken.' },
    ]);
    expect(checkFacebookLimits(draft, 'en').problems[0]?.message).toMatch(/too long/);
  });

  it('needs text, a link or media', () => {
    expect(checkFacebookLimits({ text: '  ', media: [] }).problems.map((p) => p.code)).toEqual(['empty']);
    expect(checkFacebookLimits({ text: '', link: 'https://helsingborg.se', media: [] }).ok).toBe(true);
    expect(checkFacebookLimits({ text: '', media: [jpeg()] }).ok).toBe(true);
  });

  it('limits photos to 10 MB', () => {
    const report = checkFacebookLimits({ text: 'Hej', media: [jpeg(FACEBOOK_MAX_PHOTO_BYTES + 1)] });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toEqual({ code: 'imageTooLarge', message: 'Bilden är för stor: 10 MB av högst 10 MB.' });
    expect(checkFacebookLimits({ text: 'Hej', media: [jpeg(FACEBOOK_MAX_PHOTO_BYTES)] }).ok).toBe(true);
  });

  it('takes one MP4 or MOV video, alone, up to the resumable upload limit', () => {
    const video = (mimeType = 'video/mp4', sizeBytes = 10) => ({ kind: 'video' as const, mimeType, sizeBytes });
    expect(checkFacebookLimits({ text: 'Hej', media: [video()] }).ok).toBe(true);
    expect(checkFacebookLimits({ text: '', media: [video('video/quicktime')] }).ok).toBe(true);
    expect(checkFacebookLimits({ text: 'Hej', media: [video(), jpeg()] }).problems.map((p) => p.code)).toEqual(['mediaMix']);
    expect(checkFacebookLimits({ text: 'Hej', media: [video('video/webm')] }).problems).toEqual([
      { code: 'videoFormat', message: 'Videon måste vara en MP4- eller MOV-fil.' },
    ]);
    const big = checkFacebookLimits({ text: 'Hej', media: [video('video/mp4', FACEBOOK_MAX_VIDEO_BYTES + 1)] }, 'en');
    expect(big.problems.map((p) => p.code)).toEqual(['videoTooLarge']);
    expect(big.problems[0]?.message).toMatch(/^The video is too large/);
  });

  it('puts the link into a video post\'s description, like a photo post', () => {
    const shape = composeFacebookPost({ text: 'Se filmen', link: 'https://helsingborg.se', media: [{ kind: 'video' }] });
    expect(shape).toEqual({ kind: 'video', message: 'Se filmen\n\nhttps://helsingborg.se', link: null });
  });
});
