/**
 * Crisis image cards (issue 11): rendered server-side with the real libraries, stored by content hash, attached to
 * the X, Facebook and Instagram deliveries with the message text as alt text, and received by the simulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import sharp from 'sharp';
import { startHarness, waitFor, type Harness } from '../pipeline/harness';
import { openIncident, publishMessage } from '../../app/models/crisis.server';
import { renderCard } from '../../app/models/crisis-card.server';
import { cardStyleSchema, contrastRatio, defaultCardStyle, type CardContent } from '../../templates/crisis/card';
import { checkDraft } from '../../workers/delivery/index';
import { mediaStore } from '../../common/media-store.server';
import { deliveries } from '../../db/schema';
import { listPostMediaInfo } from '../../db/queries/post-media';

const content: CardContent = {
  language: 'sv',
  kind: 'alert',
  exercise: false,
  headline: 'Koka dricksvattnet i Ödåkra',
  area: 'Ödåkra',
  instruction: 'Koka vattnet i minst en minut innan du dricker det.',
  readMore: 'https://helsingborg.se/kris',
};

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/**
 * The text of an SVG's <text> elements in document order, without spaces: satori sets one element per word and per
 * punctuation mark when text is not outlined, and the spaces between them are positions, not characters.
 */
function svgWords(svg: string): string {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!).replace(/\s+/g, '')).join('');
}
const squeezed = (s: string) => s.replace(/\s+/g, '');

describe('the card', () => {
  it('is a 1080 × 1080 PNG (and a JPEG copy) whose SVG carries the headline, area and advice as text', async () => {
    const card = await renderCard(content);
    expect(card.png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const png = await sharp(card.png).metadata();
    expect(png).toMatchObject({ format: 'png', width: 1080, height: 1080 });
    const jpeg = await sharp(card.jpeg).metadata();
    expect(jpeg).toMatchObject({ format: 'jpeg', width: 1080, height: 1080 });
    const words = svgWords(card.svg);
    for (const text of ['Koka dricksvattnet i Ödåkra', 'Område: Ödåkra', 'Koka vattnet i minst en minut innan du dricker det.', 'Helsingborgs stad', 'VIKTIGT MEDDELANDE']) {
      expect(words).toContain(squeezed(text));
    }
    // Instagram takes the JPEG, X and Facebook the PNG: the platforms' own limit checks accept them.
    expect(checkDraft('instagram', { text: 'x', media: [{ kind: 'image', mimeType: 'image/jpeg', sizeBytes: card.jpeg.length, width: 1080, height: 1080 }] })).toEqual([]);
    expect(checkDraft('x', { text: 'x', media: [{ kind: 'image', mimeType: 'image/png', sizeBytes: card.png.length, width: 1080, height: 1080 }] })).toEqual([]);
    // Mostly the background colour: a high-contrast card, not a blank one.
    const stats = await sharp(card.png).stats();
    expect(stats.dominant).toEqual({ r: 8, g: 8, b: 8 });
    expect(stats.channels[0]!.max).toBe(255);
  });

  it('the same message renders the same bytes; another headline renders other bytes; a drill and an update say so', async () => {
    const [a, b, c] = await Promise.all([renderCard(content), renderCard(content), renderCard({ ...content, headline: 'Koka dricksvattnet i Kattarp' })]);
    expect(a.png.equals(b.png)).toBe(true);
    expect(a.png.equals(c.png)).toBe(false);
    const drill = await renderCard({ ...content, kind: 'update', exercise: true, language: 'en', headline: 'Boil drinking water in Ödåkra' });
    expect(svgWords(drill.svg)).toContain(squeezed('EXERCISE · UPDATE'));
    expect(svgWords(drill.svg)).toContain(squeezed('Area: Ödåkra'));
  });

  it('a long headline still fits (smaller type), and hostile text is drawn as text, not markup', async () => {
    const long = 'Koka dricksvattnet i Ödåkra, Kattarp, Hasslarp, Mörarp, Påarp, Bårslöv, Rydebäck och Allerum till vidare';
    const card = await renderCard({ ...content, headline: long, instruction: '<script>alert(1)</script> & "citat"' });
    expect(svgWords(card.svg)).toContain(squeezed(long));
    expect(card.svg).not.toContain('<script>');
    expect(svgWords(card.svg)).toContain(squeezed('<script>alert(1)</script> & "citat"'));
    expect((await sharp(card.png).metadata()).height).toBe(1080);
  });

  it('the city style must keep 7:1 contrast', () => {
    expect(contrastRatio('#000000', '#FFFFFF')).toBeCloseTo(21, 5);
    expect(cardStyleSchema.safeParse(defaultCardStyle).success).toBe(true);
    expect(cardStyleSchema.safeParse({ ...defaultCardStyle, accent: '#333333' }).success).toBe(false);
    expect(cardStyleSchema.safeParse({ ...defaultCardStyle, background: 'black' }).success).toBe(false);
  });
});

describe('the card on every channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.startWorker();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('X, Facebook and Instagram receive the card with the message text as alt text; Instagram gets the JPEG', async () => {
    const actor = { userId: null, label: 'test' };
    const { incident } = await openIncident(h.t.db, { title: 'Otjänligt vatten', area: 'Ödåkra', severity: 'severe', languages: ['sv', 'en'] }, actor);
    const [x, fb, ig] = ['x-helsingborg', 'facebook-helsingborg', 'instagram-helsingborg'].map((k) => h.channel(k)) as [ReturnType<Harness['channel']>, ReturnType<Harness['channel']>, ReturnType<Harness['channel']>];
    const m = await publishMessage(
      h.t.db,
      { incidentId: incident.id, templateKey: 'boil_water', variables: { area: 'Ödåkra', time: 'kl. 07.00', readMore: 'https://helsingborg.se/kris' }, channelIds: [x.id, fb.id, ig.id] },
      actor,
    );
    const ids = m.variants.flatMap((v) => v.deliveries.map((d) => d.id));
    expect(ids).toHaveLength(6);
    await waitFor(
      async () => {
        const ds = await h.t.db.select().from(deliveries).where(inArray(deliveries.id, ids));
        return ds.every((d) => d.state === 'published') ? ds : null;
      },
      60_000,
      'all six deliveries published',
    );
    const posts = await h.simPosts();
    for (const v of m.variants) {
      const media = await listPostMediaInfo(h.t.db, v.postId!);
      expect(media.map((f) => [f.mimeType, f.channelId, f.altText])).toEqual([
        ['image/png', null, v.text],
        ['image/jpeg', ig.id, v.text],
      ]);
      for (const f of media) expect(await mediaStore().has(f.sha256)).toBe(true);
      for (const platform of ['x', 'facebook', 'instagram'] as const) {
        const post = posts.find((p) => p.platform === platform && p.text.startsWith(v.text.split('\n')[0]!));
        expect(post, `${platform} ${v.language}`).toBeDefined();
        expect(post!.media, `${platform} ${v.language}`).toHaveLength(1);
        expect(post!.media[0]!.altText, `${platform} ${v.language}`).toBe(v.text);
        expect(post!.media[0]!.mimeType).toBe(platform === 'instagram' ? 'image/jpeg' : 'image/png');
      }
    }
  }, 120_000);
});
