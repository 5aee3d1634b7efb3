/**
 * Local test feeds for feed import (ADR 042), served by the simulators' express app at /feeds/<name>.xml: the city's
 * news feed (RSS 2.0) and press releases (Atom 1.0) in demo mode, and whatever a test puts there (a changed item, a
 * feed that is down, a hostile document). `PUT /_sim/feeds/<name>` (the raw body, its Content-Type, and `?status=`)
 * replaces one from outside, for drills.
 */
export interface SimFeed {
  status: number;
  contentType: string;
  body: string;
}

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Helsingborgs stad – nyheter</title>
    <link>https://helsingborg.se/nyheter/</link>
    <description>Nyheter från Helsingborgs stad</description>
    <item>
      <title>Stadsbiblioteket förlänger öppettiderna i december</title>
      <link>https://helsingborg.se/nyheter/stadsbiblioteket-forlanger-oppettiderna/</link>
      <guid isPermaLink="false">hbg-nyhet-2026-1201</guid>
      <description>&lt;p&gt;Från den 1 december har Stadsbiblioteket öppet till klockan 21 på vardagar.&lt;/p&gt;</description>
      <pubDate>Tue, 01 Dec 2026 08:00:00 +0100</pubDate>
    </item>
    <item>
      <title>Ny cykelbana längs Drottninggatan</title>
      <link>https://helsingborg.se/nyheter/ny-cykelbana-drottninggatan/</link>
      <guid isPermaLink="false">hbg-nyhet-2026-1202</guid>
      <description>Arbetet med den nya cykelbanan börjar i januari.</description>
      <pubDate>Wed, 02 Dec 2026 09:30:00 +0100</pubDate>
    </item>
  </channel>
</rss>
`;

const atom = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Helsingborgs stad – pressmeddelanden</title>
  <id>urn:helsingborg:press</id>
  <updated>2026-12-02T10:00:00+01:00</updated>
  <entry>
    <title>Helsingborg bygger ny skola i Maria Park</title>
    <id>urn:helsingborg:press:2026-118</id>
    <link rel="alternate" href="https://helsingborg.se/press/ny-skola-maria-park/"/>
    <updated>2026-12-02T10:00:00+01:00</updated>
    <summary>Kommunfullmäktige har beslutat att bygga en ny F–9-skola för 800 elever.</summary>
  </entry>
</feed>
`;

export function defaultFeeds(): Map<string, SimFeed> {
  return new Map([
    ['nyheter', { status: 200, contentType: 'application/rss+xml; charset=utf-8', body: rss }],
    ['press', { status: 200, contentType: 'application/atom+xml; charset=utf-8', body: atom }],
  ]);
}

export const FEED_NAME = /^[a-z0-9-]{1,40}$/;
