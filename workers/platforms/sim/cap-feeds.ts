/**
 * Local CAP feeds for the demo and the tests (issue 11, ADR 040), served by the simulators' express app: a
 * Krisinformation-style Atom feed whose entries link to CAP 1.2 XML items, and a VMA-style CAP JSON feed (the shape
 * of Sveriges Radio's VMA API). Control: POST /feeds/_alerts adds an alert, POST /feeds/_down takes both feeds down.
 */
import express from 'express';
import { z } from 'zod';

interface FeedAlert {
  identifier: string;
  sender: string;
  sent: string;
  msgType: 'Alert' | 'Update' | 'Cancel';
  headline: string;
  description: string;
  instruction: string;
  areaDesc: string;
  geocode: string;
  language: string;
}

const alertInput = z.object({
  feed: z.enum(['atom', 'json']),
  identifier: z.string().regex(/^[^\s,<&]{1,100}$/),
  sender: z.string().regex(/^[^\s,<&]{1,100}$/),
  sent: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/),
  msgType: z.enum(['Alert', 'Update', 'Cancel']).default('Alert'),
  headline: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  instruction: z.string().max(2000).default(''),
  areaDesc: z.string().min(1).max(200),
  geocode: z.string().regex(/^\d{2,4}$/),
  language: z.string().max(20).default('sv-SE'),
});

/** What the demo starts with: a warning for Helsingborg in each feed, and one for Malmö that the city ignores. */
const demoAlerts: (FeedAlert & { feed: 'atom' | 'json' })[] = [
  {
    feed: 'json',
    identifier: 'SRVMA-DEMO-1283-1',
    sender: 'vma@sr.se',
    sent: '2026-12-03T05:40:00+01:00',
    msgType: 'Alert',
    headline: 'Rökutveckling vid brand i Helsingborgs hamn',
    description: 'Kraftig rök från en brand i ett lager i hamnen.',
    instruction: 'Gå inomhus och stäng dörrar, fönster och ventilation.',
    areaDesc: 'Helsingborg',
    geocode: '1283',
    language: 'sv-SE',
  },
  {
    feed: 'atom',
    identifier: 'KRI-DEMO-1280-1',
    sender: 'krisinformation@msb.se',
    sent: '2026-12-03T05:10:00+01:00',
    msgType: 'Alert',
    headline: 'Vattenavstängning i Malmö',
    description: 'Vattnet stängs av i delar av Malmö.',
    instruction: 'Tappa upp vatten i förväg.',
    areaDesc: 'Malmö',
    geocode: '1280',
    language: 'sv-SE',
  },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function capXmlOf(a: FeedAlert): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${esc(a.identifier)}</identifier>
  <sender>${esc(a.sender)}</sender>
  <sent>${esc(a.sent)}</sent>
  <status>Actual</status>
  <msgType>${a.msgType}</msgType>
  <scope>Public</scope>
  <info>
    <language>${esc(a.language)}</language>
    <category>Safety</category>
    <event>${esc(a.headline)}</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>${esc(a.headline)}</headline>
    <description>${esc(a.description)}</description>
    ${a.instruction ? `<instruction>${esc(a.instruction)}</instruction>` : ''}
    <area>
      <areaDesc>${esc(a.areaDesc)}</areaDesc>
      <geocode><valueName>Kommun</valueName><value>${esc(a.geocode)}</value></geocode>
    </area>
  </info>
</alert>
`;
}

export function capFeedsRouter(): express.Router {
  const alerts = demoAlerts.map((a) => ({ ...a }));
  let down = false;
  const router = express.Router();
  router.use((req, res, next) => {
    if (down && req.method === 'GET') {
      res.status(503).type('text/plain').send('feed unavailable');
      return;
    }
    next();
  });
  router.get('/krisinformation.atom', (req, res) => {
    const base = `http://${req.headers.host ?? '127.0.0.1'}/feeds`;
    const entries = alerts
      .map((a, i) => ({ a, i }))
      .filter(({ a }) => a.feed === 'atom')
      .map(
        ({ a, i }) => `  <entry>
    <id>urn:krisinformation:${esc(a.identifier)}</id>
    <title>${esc(a.headline)}</title>
    <updated>${esc(a.sent)}</updated>
    <link rel="alternate" type="application/cap+xml" href="${base}/cap/${i}.xml"/>
  </entry>`,
      )
      .join('\n');
    res.type('application/atom+xml').send(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:krisinformation:demo</id>
  <title>Krisinformation (simulerad)</title>
  <updated>2026-12-03T06:00:00+01:00</updated>
${entries}
</feed>
`);
  });
  router.get(/^\/cap\/(\d+)\.xml$/, (req, res) => {
    const a = alerts[Number((req.params as Record<string, string>)[0])];
    if (!a || a.feed !== 'atom') {
      res.status(404).type('text/plain').send('no such item');
      return;
    }
    res.type('application/cap+xml').send(capXmlOf(a));
  });
  router.get('/vma.json', (_req, res) => {
    res.json({
      alerts: alerts
        .filter((a) => a.feed === 'json')
        .map((a) => ({
          identifier: a.identifier,
          sender: a.sender,
          sent: a.sent,
          status: 'Actual',
          msgType: a.msgType,
          scope: 'Public',
          info: [
            {
              language: a.language,
              category: 'Safety',
              event: 'Viktigt meddelande till allmänheten (VMA)',
              urgency: 'Immediate',
              severity: 'Severe',
              certainty: 'Observed',
              headline: a.headline,
              description: a.description,
              instruction: a.instruction,
              area: [{ areaDesc: a.areaDesc, geocode: [{ valueName: 'Kommun', value: a.geocode }] }],
            },
          ],
        })),
    });
  });
  router.post('/_alerts', (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
    const parsed = alertInput.safeParse(json);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    alerts.push(parsed.data);
    res.status(201).json({ ok: true });
  });
  router.post('/_down', (req, res) => {
    down = (Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '').includes('true');
    res.json({ down });
  });
  return router;
}
