/**
 * Feed import (issue 10, ADR 042) against the simulators' local test feeds over HTTP, on a real database and the
 * real Graphile Worker: each new item becomes one draft of the feed's kind with its link, exactly once across polls,
 * concurrent polls, worker restarts and items edited in the feed; a feed that is down or hostile is recorded as an
 * error and creates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { startHarness, silentLog, waitFor, type Harness } from '../pipeline/harness';
import { auditLog, deliveries, feedItems, feeds, posts, channels } from '../../db/schema';
import { findFeed } from '../../db/queries/feeds';
import { pollFeed } from '../../workers/lib/feeds';
import { parseFeed } from '../../workers/lib/feed-parse';
import { enqueue } from '../../workers/delivery/jobs';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const deps = () => ({ db: h.t.db, log: silentLog });

function setFeed(name: string, body: string, status = 200, contentType = 'application/rss+xml') {
  h.sims.hub.feeds.set(name, { status, contentType, body });
}

async function feed(key: string) {
  const f = await findFeed(h.t.db, key);
  if (!f) throw new Error(`no feed ${key}`);
  return f;
}

async function postsOf(key: string) {
  return h.t.db
    .select({ post: posts, identity: feedItems.identity })
    .from(feedItems)
    .innerJoin(posts, eq(posts.id, feedItems.postId))
    .where(eq(feedItems.feedKey, key));
}

async function postCount() {
  return (await h.t.db.select({ n: count() }).from(posts))[0]!.n;
}

const rss = (items: string) => `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>${items}</channel></rss>`;

/** A feed of its own per test: the key is configuration, the URL a simulator feed. */
async function testFeed(key: string, kind: 'nyhet' | 'pressmeddelande' = 'nyhet') {
  await h.t.db
    .insert(feeds)
    .values({ key, title: `Test ${key}`, url: `${h.sims.url}/feeds/${key}.xml`, kind, channelKeys: ['x-helsingborg', 'facebook-helsingborg'] })
    .onConflictDoNothing();
  return feed(key);
}

describe('feed import', () => {
  it('the configured demo feeds are imported by the cron task through the real worker: one draft per item, of the right kind, with its link, waiting for review', async () => {
    const configured = await h.t.db.select().from(feeds);
    expect(configured.map((f) => [f.key, f.kind, f.url])).toEqual(
      expect.arrayContaining([
        ['nyheter', 'nyhet', `${h.sims.url}/feeds/nyheter.xml`],
        ['pressmeddelanden', 'pressmeddelande', `${h.sims.url}/feeds/press.xml`],
      ]),
    );
    const worker = await h.startWorker();
    // The cron run, with the payload Graphile Worker's cron gives it: no feed named, so one keyed poll per feed.
    await enqueue(h.t.db, 'feed__poll', { _cron: { ts: new Date().toISOString(), backfilled: false } });
    const news = await waitFor(async () => ((await postsOf('nyheter')).length === 2 ? postsOf('nyheter') : null), 20_000, 'news drafts');
    const press = await waitFor(async () => ((await postsOf('pressmeddelanden')).length === 1 ? postsOf('pressmeddelanden') : null), 20_000, 'press drafts');
    await worker.stop();

    const library = news.find((n) => n.identity === 'guid:hbg-nyhet-2026-1201')!.post;
    expect(library).toMatchObject({ kind: 'nyhet', link: 'https://helsingborg.se/nyheter/stadsbiblioteket-forlanger-oppettiderna/', reviewState: 'pending_approval', createdBy: null });
    // The HTML of the description is gone; the title leads.
    expect(library.text).toBe('Stadsbiblioteket förlänger öppettiderna i december\n\nFrån den 1 december har Stadsbiblioteket öppet till klockan 21 på vardagar.');
    expect(press[0]!.post).toMatchObject({ kind: 'pressmeddelande', link: 'https://helsingborg.se/press/ny-skola-maria-park/', reviewState: 'pending_approval' });
    expect(press[0]!.identity).toBe('guid:urn:helsingborg:press:2026-118');
    // Deliveries are drafts (no job) on the kind's text channels.
    const ds = await h.t.db.select({ state: deliveries.state, key: channels.key }).from(deliveries).innerJoin(channels, eq(channels.id, deliveries.channelId)).where(eq(deliveries.postId, library.id));
    expect(ds.map((d) => d.state)).toEqual(['draft', 'draft']);
    expect(ds.map((d) => d.key).sort()).toEqual(['facebook-helsingborg', 'x-helsingborg']);
    const audits = await h.t.db.select().from(auditLog).where(eq(auditLog.objectId, library.id));
    expect(audits.map((a) => a.action)).toContain('post.import');
    expect(await feed('nyheter')).toMatchObject({ lastError: null, lastItemCount: 2, lastNewCount: 2 });

    // A restart: a new worker polls again and imports nothing twice.
    const again = await h.startWorker({ name: 'after-restart' });
    const before = await postCount();
    await enqueue(h.t.db, 'feed__poll', { feedKey: 'nyheter' });
    await waitFor(async () => ((await feed('nyheter')).lastNewCount === 0 ? true : null), 20_000, 'the second poll');
    await again.stop();
    expect(await postCount()).toBe(before);
  });

  it('the same item twice (in one feed, and in two polls at once) is one draft', async () => {
    const f = await testFeed('twice');
    const item = '<item><title>Samma sak</title><link>https://helsingborg.se/a/</link><guid>twice-1</guid></item>';
    setFeed('twice', rss(item + item));
    const [a, b] = await Promise.all([pollFeed(deps(), f), pollFeed(deps(), f)]);
    expect(a.created + b.created).toBe(1);
    expect(await postsOf('twice')).toHaveLength(1);
    const third = await pollFeed(deps(), f);
    expect(third).toMatchObject({ ok: true, items: 1, created: 0 });
    expect(await postsOf('twice')).toHaveLength(1);
  });

  it('an item edited in the feed (same guid; or, without a guid, the same link) never becomes a second draft; the edit is noted', async () => {
    const f = await testFeed('edited', 'pressmeddelande');
    setFeed('edited', rss('<item><title>Första rubriken</title><link>https://helsingborg.se/b/</link><guid>ed-1</guid></item><item><title>Utan guid</title><link>https://helsingborg.se/c/</link></item>'));
    expect((await pollFeed(deps(), f)).created).toBe(2);
    setFeed('edited', rss('<item><title>Rättad rubrik</title><link>https://helsingborg.se/b-ny/</link><guid>ed-1</guid><description>Ny text</description></item><item><title>Utan guid, rättad</title><link>https://helsingborg.se/c/</link></item>'));
    expect(await pollFeed(deps(), f)).toMatchObject({ ok: true, created: 0, items: 2 });
    const drafts = await postsOf('edited');
    expect(drafts.map((d) => d.identity).sort()).toEqual(['guid:ed-1', 'link:https://helsingborg.se/c/']);
    // The draft keeps what was imported; the item row notes that the feed changed it.
    expect(drafts.find((d) => d.identity === 'guid:ed-1')!.post.text).toBe('Första rubriken');
    const items = await h.t.db.select().from(feedItems).where(eq(feedItems.feedKey, 'edited'));
    expect(items.every((i) => i.changedInFeedAt !== null)).toBe(true);
  });

  it('a feed that is down, or not there at all, is recorded as the error and creates nothing; the next good poll clears it', async () => {
    const f = await testFeed('down');
    setFeed('down', 'Service Unavailable', 503, 'text/plain');
    const before = await postCount();
    expect(await pollFeed(deps(), f)).toMatchObject({ ok: false, error: 'Flödet svarade 503.' });
    expect(await feed('down')).toMatchObject({ lastError: 'Flödet svarade 503.', lastOkAt: null });
    // Nothing listens on the port any more: unreachable.
    const gone = { ...f, url: 'http://127.0.0.1:1/feed.xml' };
    const unreachable = await pollFeed(deps(), gone);
    expect(unreachable.ok).toBe(false);
    expect(unreachable.error).toMatch(/^Flödet gick inte att nå: /);
    expect(await postCount()).toBe(before);
    setFeed('down', rss('<item><title>Tillbaka</title><guid>down-1</guid></item>'));
    expect(await pollFeed(deps(), f)).toMatchObject({ ok: true, created: 1 });
    const after = await feed('down');
    expect(after.lastError).toBeNull();
    expect(after.lastOkAt).not.toBeNull();
  });

  it('hostile feeds: huge, malformed, entity expansion, not a feed — refused with the reason, nothing imported', async () => {
    const f = await testFeed('hostile');
    const before = await postCount();
    const cases: [string, string, RegExp][] = [
      ['huge', rss(`<item><title>${'A'.repeat(6 * 1024 * 1024)}</title><guid>h</guid></item>`), /^Flödet är större än 5242880 byte/],
      ['malformed', rss('<item><title>Ingen sluttagg</title><guid>m</guid>'), /^Flödet är inte giltig XML: .*rad 1/],
      [
        'entities',
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><item><title>&lol3;</title><guid>e</guid></item></channel></rss>',
        /entitetsdeklarationer/,
      ],
      ['external entity', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title><guid>x</guid></item></channel></rss>', /entitetsdeklarationer/],
      ['not a feed', '<html><body><p>Hej</p></body></html>', /varken RSS eller Atom/],
      ['binary', '\u0000\u0001\u0002PNG', /inte giltig XML/],
    ];
    for (const [name, body, expected] of cases) {
      setFeed('hostile', body);
      const r = await pollFeed(deps(), f);
      expect(r.ok, name).toBe(false);
      expect(r.error, name).toMatch(expected);
      expect((await feed('hostile')).lastError, name).toMatch(expected);
    }
    expect(await postCount()).toBe(before);
  });

  it('items are cut to size, unsafe links dropped, and items without guid or link skipped', () => {
    const parsed = parseFeed(
      rss(
        `<item><title>${'Å'.repeat(1000)}</title><link>javascript:alert(1)</link><guid>s-1</guid><description>${'<b>x</b>'.repeat(2000)}</description></item>` +
          '<item><title>Ingen identitet</title></item>' +
          '<item><title>Nul\u0007l</title><link>https://helsingborg.se/d/</link></item>',
      ),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries).toHaveLength(2);
    const [a, b] = parsed.entries;
    expect(a!.link).toBeNull();
    expect(a!.identity).toBe('guid:s-1');
    expect(a!.title.length).toBe(300);
    expect(a!.summary.length).toBeLessThanOrEqual(2000);
    expect(b).toMatchObject({ identity: 'link:https://helsingborg.se/d/', title: 'Null' });
  });
});
