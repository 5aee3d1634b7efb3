/**
 * Link cards, previews and templates in the composer without JavaScript (issue 10, ADR 038): "Hämta förhandsvisning"
 * and "Uppdatera förhandsvisningar" redraw the form from the server and save nothing; the card is kept with the post
 * as edited; templates prefill every channel; every new field and endpoint refuses hostile input with a 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { HttpSession, signedIn, startTestApp, type TestApp } from '../support/app';
import { channels, posts } from '../../db/schema';
import { sha256Of } from '../../common/media-store.server';
import { jpeg, mp4 } from '../pipeline/harness';
import { startLinkPage, type LinkPage } from '../support/link-page';

let app: TestApp;
let page: LinkPage;
let pageUrl: string;
let image: Buffer;

beforeAll(async () => {
  page = await startLinkPage({ title: 'Nya Stadsbiblioteket öppnar', description: 'Välkommen den 3 maj.', siteName: 'Helsingborgs stad' }, '/nyheter/bibliotek');
  pageUrl = page.url;
  image = page.image;
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
  await page?.close();
});

async function channelId(key: string): Promise<string> {
  const [c] = await app.db.db.select().from(channels).where(eq(channels.key, key));
  return c!.id;
}

async function postCount(): Promise<number> {
  const [row] = await app.db.db.select({ n: count() }).from(posts);
  return row!.n;
}

function composeForm(fields: Record<string, string>, channelIds: string[]): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const id of channelIds) form.append('channelIds', id);
  return form;
}

/** The composer's variant index of a channel: the order of the hidden channelId fields. */
function variantIndex(html: string, id: string): number {
  const ids = [...html.matchAll(/name="variants\[(\d+)\]\.channelId" value="([0-9a-f-]{36})"/g)];
  return Number(ids.find((m) => m[2] === id)![1]);
}

describe('link card without JavaScript', () => {
  it('"Hämta förhandsvisning" fetches the card into editable fields and the previews; nothing is saved', async () => {
    const s = await signedIn(app, 'communications');
    const before = await postCount();
    const x = await channelId('x-helsingborg');
    const fb = await channelId('facebook-helsingborg');
    const res = await s.postMultipart('/skriv', composeForm({ text: 'Biblioteket öppnar! #helsingborg', link: pageUrl, intent: 'card', kind: 'nyhet' }, [x, fb]));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('value="Nya Stadsbiblioteket öppnar"');
    expect(html).toContain('Välkommen den 3 maj.</textarea>');
    expect(html).toContain(`/skriv/media/${sha256Of(image)}`);
    // What was typed stays; the previews were drawn by the server.
    expect(html).toContain('Biblioteket öppnar! #helsingborg</textarea>');
    expect(html).toContain('class="preview preview-x"');
    expect(html).toContain('class="preview preview-facebook"');
    expect(html).toMatch(/<span class="pv-hashtag">#helsingborg<\/span>/);
    expect(html).toContain('<span class="pv-card-title">Nya Stadsbiblioteket öppnar</span>');
    expect(await postCount()).toBe(before);

    // The card's image is served to the composer (signed in only).
    const img = await s.get(`/skriv/media/${sha256Of(image)}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect((await new HttpSession(app.url).get(`/skriv/media/${sha256Of(image)}`)).status).toBe(302);
  });

  it('keeps the card as edited by hand with the post, without its image when asked', async () => {
    const s = await signedIn(app, 'communications');
    const fb = await channelId('facebook-helsingborg');
    const res = await s.postMultipart(
      '/skriv',
      composeForm(
        {
          text: 'Biblioteket öppnar i maj.',
          link: pageUrl,
          kind: 'general',
          'card.title': 'Stadsbiblioteket – nu öppet',
          'card.description': 'Rubrik ändrad för hand.',
          'card.siteName': 'Helsingborgs stad',
          'card.image': sha256Of(image),
          'card.imageUrl': `${pageUrl}/kort.jpg`,
          at: '2031-05-02T10:00',
        },
        [fb],
      ),
    );
    expect(res.status).toBe(302);
    const id = res.headers.get('location')!.split('/').pop()!;
    const [row] = await app.db.db.select().from(posts).where(eq(posts.id, id));
    expect(row!.linkCard).toEqual({
      url: pageUrl,
      title: 'Stadsbiblioteket – nu öppet',
      description: 'Rubrik ändrad för hand.',
      siteName: 'Helsingborgs stad',
      imageSha256: sha256Of(image),
      imageUrl: `${pageUrl}/kort.jpg`,
    });

    const without = await s.postMultipart(
      '/skriv',
      composeForm({ text: 'Utan bild.', link: pageUrl, 'card.title': 'Kort', 'card.image': sha256Of(image), 'card.noImage': 'on', at: '2031-05-02T10:00' }, [fb]),
    );
    expect(without.status).toBe(302);
    const [row2] = await app.db.db.select().from(posts).where(eq(posts.id, without.headers.get('location')!.split('/').pop()!));
    expect(row2!.linkCard).toEqual({ url: pageUrl, title: 'Kort', description: '' });
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'internt nät'],
    ['http://127.0.0.1/', 'internt nät'],
    ['http://[::1]/', 'internt nät'],
    ['http://10.0.0.1/', 'internt nät'],
    ['file:///etc/passwd', 'fullständig adress'],
    ['javascript:alert(1)', 'fullständig adress'],
    ['', 'Skriv en länk först'],
  ])('refuses to fetch %s with a message at the link, keeping what was typed', async (link, message) => {
    const s = await signedIn(app, 'communications');
    const before = await postCount();
    const x = await channelId('x-helsingborg');
    const res = await s.postMultipart('/skriv', composeForm({ text: 'Behåll mig', link, intent: 'card' }, [x]));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(message);
    expect(html).toContain('Behåll mig</textarea>');
    expect(html).toMatch(/id="link"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="link"/);
    expect(await postCount()).toBe(before);
  });
});

describe('previews without JavaScript', () => {
  it('"Uppdatera förhandsvisningar" draws each chosen channel as its platform shows it', async () => {
    const s = await signedIn(app, 'communications');
    const before = await postCount();
    const ids = { x: await channelId('x-helsingborg'), ig: await channelId('instagram-helsingborg'), yt: await channelId('youtube-helsingborg') };
    const form = composeForm({ text: 'Läs mer på https://helsingborg.se/nyheter/en-mycket-lang-adress-till-nyheten #hbg @stad', intent: 'preview' }, [ids.x, ids.ig, ids.yt]);
    form.set('media', new Blob([new Uint8Array(jpeg().data!)], { type: 'image/jpeg' }), 'bild.jpg');
    form.set('files[0].alt', 'Biblioteket i kvällsljus');
    const page0 = await (await s.get('/skriv')).text();
    form.set(`variants[${variantIndex(page0, ids.yt)}].title`, 'Biblioteket');
    form.set(`variantMedia${variantIndex(page0, ids.yt)}`, new Blob([new Uint8Array(mp4().data!)], { type: 'video/mp4' }), 'film.mp4');
    const res = await s.postMultipart('/skriv', form);
    expect(res.status).toBe(200);
    const html = await res.text();
    const section = (p: string) => html.slice(html.indexOf(`class="preview preview-${p}"`), html.indexOf('</figure>', html.indexOf(`class="preview preview-${p}"`)));
    // X: twitter-text's entities, the link shown as X shortens it, hashtags and mentions linked.
    expect(section('x')).toContain('<span class="pv-url" title="https://helsingborg.se/nyheter/en-mycket-lang-adress-till-nyheten">helsingborg.se/nyheter/en…</span>');
    expect(section('x')).toContain('<span class="pv-hashtag">#hbg</span>');
    expect(section('x')).toContain('<span class="pv-mention">@stad</span>');
    expect(section('x')).toContain('alt="Biblioteket i kvällsljus"');
    expect(section('x')).toContain('pv-crop-x');
    // Instagram: the address is plain text; the image in a square crop.
    expect(section('instagram')).not.toContain('pv-url');
    expect(section('instagram')).toContain('<span class="pv-hashtag">#hbg</span>');
    expect(section('instagram')).toContain('pv-crop-instagram');
    expect(section('instagram')).toContain('Länkar går inte att klicka på');
    // YouTube: its own video and title.
    expect(section('youtube')).toContain('<p class="pv-yt-title">Biblioteket</p>');
    expect(section('youtube')).toContain('Video: film.mp4');
    expect(await postCount()).toBe(before);
    // The uploads were kept for the next submit (by hash, with their type for the previews).
    expect(html).toMatch(/name="files\[0\]\.mime" value="image\/jpeg"/);
  });
});

describe('start from template without JavaScript', () => {
  const q = (o: Record<string, string>) => `/skriv?${new URLSearchParams(o).toString()}`;

  it('the news template fills the base and each channel’s version, with the configured sign-off and hashtags', async () => {
    const s = await signedIn(app, 'communications');
    const blank = await (await s.get('/skriv')).text();
    expect(blank).toContain('Börja från mall');
    expect(blank).toContain('value="Helsingborgs stad"');
    expect(blank).toContain('value="#helsingborg"');
    const res = await s.get(
      q({ mall: 'nyhet', headline: 'Nytt bibliotek', summary: 'Stadsbiblioteket öppnar i maj.', url: 'https://helsingborg.se/bibliotek', signOff: 'Helsingborgs stad', hashtags: '#helsingborg #bibliotek' }),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Mallen Nyhet är ifylld');
    expect(html).toContain('Nytt bibliotek\n\nStadsbiblioteket öppnar i maj.\n\nHelsingborgs stad\n\n#helsingborg #bibliotek</textarea>');
    expect(html).toContain('value="https://helsingborg.se/bibliotek"');
    // X's own version leaves out the sign-off; YouTube gets the headline as its title.
    expect(html).toContain('Nytt bibliotek\n\nStadsbiblioteket öppnar i maj.\n\n#helsingborg #bibliotek</textarea>');
    expect(html).toContain('value="Nytt bibliotek"');
    // The kind's channels are ticked and the previews drawn.
    expect(html).toContain('class="preview preview-x"');
    expect(html).toMatch(/id="kind-nyhet"[^>]*checked|checked[^>]*id="kind-nyhet"/);
  });

  it('the press-release template adds the press contact', async () => {
    const s = await signedIn(app, 'communications');
    const html = await (
      await s.get(q({ mall: 'pressmeddelande', headline: 'Ny badplats', summary: 'Staden öppnar en badplats.', url: 'https://helsingborg.se/bad', contactName: 'Anna A', contactPhone: '042-10 50 00', date: '2026-06-01', hashtags: '' }))
    ).text();
    expect(html).toContain('Pressmeddelande: Ny badplats\n\nDatum: 2026-06-01\n\nStaden öppnar en badplats.\n\nPresskontakt: Anna A, 042-10 50 00');
  });

  it.each([
    [{ headline: 'a\u0000b' }, 'headline'],
    [{ headline: 'Rad ett\nrad två' }, 'headline'],
    [{ headline: 'x'.repeat(500) }, 'headline'],
    [{ url: 'javascript:alert(1)' }, 'url'],
    [{ url: 'inte en adress' }, 'url'],
    [{ hashtags: 'bad tag! <script>' }, 'hashtags'],
    [{ summary: '' }, 'summary'],
    [{ summary: 'ÿ'.repeat(700) }, 'summary'],
  ])('refuses hostile variables %j with a message at the field and no prefill', async (bad, field) => {
    const s = await signedIn(app, 'communications');
    const res = await s.get(q({ mall: 'nyhet', headline: 'Rubrik', summary: 'Text.', url: 'https://helsingborg.se/', ...bad }));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('är ifylld');
    expect(html).toContain(`id="tpl-nyhet-${field}-error"`);
    expect(html).not.toContain('<script>');
  });

  it('a query that is not UTF-8 is a field error, not a 500', async () => {
    const s = await signedIn(app, 'communications');
    const res = await s.get('/skriv?mall=nyhet&headline=%FF%FE&summary=S&url=https%3A%2F%2Fhelsingborg.se%2F');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="tpl-nyhet-headline-error"');
  });

  it('refuses an impossible press-release date and an unknown template', async () => {
    const s = await signedIn(app, 'communications');
    const html = await (await s.get(q({ mall: 'pressmeddelande', headline: 'R', summary: 'S.', url: 'https://helsingborg.se/', contactName: 'A', contactPhone: '1', date: '2026-02-30' }))).text();
    expect(html).toContain('Ange ett riktigt datum');
    expect((await s.get(q({ mall: '../../etc/passwd' }))).status).toBe(400);
    expect((await s.get(q({ mall: 'constructor' }))).status).toBe(400);
  });
});

describe('hostile input to the new fields and the media route', () => {
  it.each([
    [{ 'card.title': 'x'.repeat(5000) }],
    [{ 'card.description': 'x'.repeat(5000) }],
    [{ 'card.title': 'a\u0000b' }],
    [{ 'card.image': '../../../etc/passwd' }],
    [{ 'card.image': 'A'.repeat(64) }],
    [{ 'files[0].mime': 'text/html' }],
    [{ intent: 'publish-everything' }],
  ])('refuses %j with a 400 and saves nothing', async (bad) => {
    const s = await signedIn(app, 'communications');
    const before = await postCount();
    const fb = await channelId('facebook-helsingborg');
    const res = await s.postMultipart('/skriv', composeForm({ text: 'Hej', link: 'https://helsingborg.se/', at: '2031-05-02T10:00', ...bad }, [fb]));
    expect(res.status).toBe(400);
    expect(await postCount()).toBe(before);
  });

  it('/skriv/media/:sha: a malformed, unknown or non-image hash is a 404, never a 500', async () => {
    const s = await signedIn(app, 'communications');
    const video = mp4().data!;
    // Put a video in the store through a kept upload: the route must not serve it.
    const fb = await channelId('facebook-helsingborg');
    const form = composeForm({ text: 'x', intent: 'preview' }, [fb]);
    form.set('media', new Blob([new Uint8Array(video)], { type: 'video/mp4' }), 'film.mp4');
    expect((await s.postMultipart('/skriv', form)).status).toBe(200);
    for (const sha of ['..%2F..%2Fetc%2Fpasswd', 'x'.repeat(64), '0'.repeat(64), sha256Of(video), `${sha256Of(image)}%00`]) {
      expect((await s.get(`/skriv/media/${sha}`)).status, sha).toBe(404);
    }
  });
});
