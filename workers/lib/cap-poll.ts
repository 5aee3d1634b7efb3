/**
 * Incoming warnings (issue 11, ADR 040): reads the configured CAP feeds — a Krisinformation-style Atom feed whose
 * entries link to CAP 1.2 XML items, and a VMA-style CAP JSON feed — keeps the alerts for the city's area (SCB codes
 * or names) and records each once by its CAP identity (crisis_cap_alerts): the same alert in the next poll, after a
 * restart or in both feeds is the same row, so its banner shows once. A feed that is down or answers nonsense is
 * logged and skipped; the next minute tries again.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { recordCapAlertOnce } from '../../db/queries/crisis-cap';
import { alertConcernsArea, CAP_MAX_BYTES, CapImportError, capAlertFromJson, draftOf, storedFieldsOf, vmaFeedSchema, type CapAlert, type CapAreaFilter } from '../../common/cap/import';
import { readCapXml } from '../../common/cap/validate.server';

export interface CapSource {
  kind: 'atom' | 'json';
  url: string;
}

/** `atom:URL json:URL …` (CAP_FEEDS) → sources. */
export function parseCapSources(value: string | undefined): CapSource[] {
  return (value ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const kind = item.startsWith('json:') ? 'json' : 'atom';
      return { kind, url: item.slice(kind.length + 1) };
    });
}

export function areaFilterOf(codes: string, names: string): CapAreaFilter {
  return { geocodes: codes.split(',').map((c) => c.trim()).filter(Boolean), names: names.split(',').map((n) => n.trim()).filter(Boolean) };
}

const FEED_MAX_BYTES = 2 * 1024 * 1024;
const MAX_ITEMS = 50;

async function fetchBytes(url: string, max: number, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/atom+xml, application/cap+xml, application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw new Error(`larger than ${max} bytes`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > max) throw new Error(`larger than ${max} bytes`);
  return bytes;
}

const atomParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, processEntities: true, isArray: (n) => n === 'entry' || n === 'link' });

/** The CAP item links of an Atom feed (type application/cap+xml), at most MAX_ITEMS. */
export function capLinksOfAtom(xml: string, base: string): string[] {
  // Same rule as for a CAP file: no DTD, so no external entities and no entity expansion.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || XMLValidator.validate(xml) !== true) throw new Error('not a well-formed Atom feed without DTD');
  const feed = (atomParser.parse(xml) as { feed?: { entry?: { link?: { href?: string; type?: string; rel?: string }[] }[] } }).feed;
  if (!feed) throw new Error('not an Atom feed');
  const links = (feed.entry ?? []).flatMap((e) => (e.link ?? []).filter((l) => l.type === 'application/cap+xml' && typeof l.href === 'string').map((l) => new URL(l.href!, base).toString()));
  return links.slice(0, MAX_ITEMS);
}

async function alertsOf(source: CapSource, timeoutMs: number, log: Logger): Promise<CapAlert[]> {
  const bytes = await fetchBytes(source.url, FEED_MAX_BYTES, timeoutMs);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (source.kind === 'json') {
    const parsed = vmaFeedSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`not a CAP JSON feed: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data.alerts.map(capAlertFromJson);
  }
  const out: CapAlert[] = [];
  for (const link of capLinksOfAtom(text, source.url)) {
    try {
      out.push(await readCapXml(await fetchBytes(link, CAP_MAX_BYTES, timeoutMs)));
    } catch (e) {
      // One bad item does not hide the others.
      log.warn({ cap: 'poll', source: source.url, item: link, err: e instanceof CapImportError ? e.code : String(e) }, 'CAP item skipped');
    }
  }
  return out;
}

export interface PollResult {
  source: string;
  ok: boolean;
  error?: string;
  /** Alerts in the feed for the city's area. */
  matching: number;
  /** Of those, recorded for the first time by this poll. */
  recorded: number;
}

export async function pollCapSources(db: Db, sources: CapSource[], filter: CapAreaFilter, opts: { timeoutMs: number; log: Logger }): Promise<PollResult[]> {
  const results: PollResult[] = [];
  for (const source of sources) {
    try {
      const alerts = await alertsOf(source, opts.timeoutMs, opts.log);
      let matching = 0;
      let recorded = 0;
      for (const alert of alerts) {
        // Only real alerts for the city: Test, Exercise, System and Draft are not warnings to act on.
        if (alert.status !== 'Actual' || !alertConcernsArea(alert, filter)) continue;
        let draft;
        try {
          draft = draftOf(alert);
        } catch {
          continue;
        }
        matching += 1;
        const { created } = await recordCapAlertOnce(db, { ...storedFieldsOf(alert, draft), source: source.url.slice(0, 500) });
        if (created) recorded += 1;
      }
      results.push({ source: source.url, ok: true, matching, recorded });
      if (recorded > 0) opts.log.info({ cap: 'poll', source: source.url, recorded }, 'new CAP alerts for the city');
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      opts.log.warn({ cap: 'poll', source: source.url, err: error }, 'CAP feed unavailable');
      results.push({ source: source.url, ok: false, error, matching: 0, recorded: 0 });
    }
  }
  return results;
}
