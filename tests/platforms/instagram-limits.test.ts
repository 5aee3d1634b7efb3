import { describe, expect, it } from 'vitest';
import {
  checkInstagramLimits,
  composeInstagramCaption,
  countHashtags,
  countMentions,
  INSTAGRAM_MAX_CAPTION_CHARS,
  INSTAGRAM_MAX_IMAGE_BYTES,
  isInstagramAspectRatioAllowed,
} from '../../workers/platforms/instagram/limits';

const jpeg = (over: { sizeBytes?: number; width?: number; height?: number; mimeType?: string } = {}) => ({
  kind: 'image' as const,
  mimeType: 'image/jpeg',
  sizeBytes: 100_000,
  ...over,
});

describe('composeInstagramCaption', () => {
  it('appends the link, since Instagram has no link field', () => {
    expect(composeInstagramCaption({ text: 'Hej', link: 'https://helsingborg.se' })).toBe('Hej\n\nhttps://helsingborg.se');
    expect(composeInstagramCaption({ text: ' Hej ', link: null })).toBe('Hej');
    expect(composeInstagramCaption({ text: '', link: 'https://helsingborg.se' })).toBe('https://helsingborg.se');
  });

  it('is what the limit check measures', () => {
    const text = 'a'.repeat(INSTAGRAM_MAX_CAPTION_CHARS - 5);
    const report = checkInstagramLimits({ text, link: 'https://x.se', media: [jpeg()] });
    expect(report.length).toBe(composeInstagramCaption({ text, link: 'https://x.se' }).length);
    expect(report.problems.map((p) => p.code)).toEqual(['tooLong']);
  });
});

describe('counting', () => {
  it('counts hashtags and @mentions but not e-mail addresses or URL fragments', () => {
    expect(countHashtags('#helsingborg #sommar2025 text#inte https://a.se/#ankare')).toBe(2);
    expect(countMentions('@helsingborgsstad och @jobba.i.hbg, mejla info@helsingborg.se')).toBe(2);
  });
});

describe('checkInstagramLimits', () => {
  it('accepts a square JPEG with a short caption', () => {
    expect(checkInstagramLimits({ text: 'Hej #hbg', media: [jpeg({ width: 1080, height: 1080 })] })).toEqual({
      ok: true,
      length: 8,
      limit: INSTAGRAM_MAX_CAPTION_CHARS,
      problems: [],
    });
  });

  it('requires an image or a video, one of them', () => {
    expect(checkInstagramLimits({ text: 'Hej', media: [] }).problems).toEqual([
      { code: 'mediaRequired', message: 'Kanalen kräver en bild eller en video.' },
    ]);
    expect(checkInstagramLimits({ text: 'Hej', media: [jpeg(), jpeg()] }).problems.map((p) => p.code)).toEqual(['tooManyMedia']);
    expect(checkInstagramLimits({ text: '', media: [{ kind: 'video', mimeType: 'video/mp4', sizeBytes: 1 }] }).ok).toBe(true);
    expect(checkInstagramLimits({ text: '', media: [{ kind: 'video', mimeType: 'video/webm', sizeBytes: 1 }] }).problems.map((p) => p.code)).toEqual([
      'videoFormat',
    ]);
  });

  it('flags more than 30 hashtags and 20 mentions', () => {
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    const mentions = Array.from({ length: 21 }, (_, i) => `@k${i}`).join(' ');
    const report = checkInstagramLimits({ text: `${tags} ${mentions}`, media: [jpeg()] });
    expect(report.problems).toEqual([
      { code: 'tooManyHashtags', message: 'För många hashtaggar: 31 av högst 30.' },
      { code: 'tooManyMentions', message: 'För många omnämnanden (@): 21 av högst 20.' },
    ]);
  });

  it('only takes JPEG up to 8 MB', () => {
    const report = checkInstagramLimits({ text: '', media: [jpeg({ mimeType: 'image/png', sizeBytes: INSTAGRAM_MAX_IMAGE_BYTES + 1 })] });
    expect(report.problems.map((p) => p.code)).toEqual(['imageFormat', 'imageTooLarge']);
    expect(report.problems[0]?.message).toBe('Bilden måste vara i JPEG-format.');
  });

  it('checks the aspect ratio when the size is known', () => {
    expect(isInstagramAspectRatioAllowed(1080, 1350)).toBe(true); // 4:5
    expect(isInstagramAspectRatioAllowed(1910, 1000)).toBe(true); // 1.91:1
    expect(isInstagramAspectRatioAllowed(1080, 1400)).toBe(false);
    expect(isInstagramAspectRatioAllowed(2000, 1000)).toBe(false);
    const report = checkInstagramLimits({ text: '', media: [jpeg({ width: 3000, height: 1000 })] });
    expect(report.problems).toEqual([
      { code: 'aspectRatio', message: 'Bildens proportioner (3:1) ligger utanför det tillåtna (4:5 till 1,91:1).' },
    ]);
    expect(checkInstagramLimits({ text: '', media: [jpeg()] }).ok).toBe(true); // unknown size: the platform decides
  });
});
