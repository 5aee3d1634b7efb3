/**
 * CAP 1.2 import (issue 11, ADR 040): a CAP alert — XML from a file or an Atom feed's item, or the CAP-shaped JSON of
 * a VMA feed — becomes one normalised alert and the draft crisis message it suggests. The web app, the CLI and the
 * worker's feed poll all use this, so they agree on what an alert says.
 *
 * Hostile input is refused before any parser sees it: a size limit, strict UTF-8, and no DTD at all (a CAP alert
 * needs none, and a DOCTYPE is how external entities (XXE) and entity expansion get in). What remains is checked
 * against the OASIS schema (validate.server.ts) and only then read with fast-xml-parser.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import type { CrisisLanguage, CrisisMsgType } from '../crisis';

/** Larger than any real alert (VMA and Krisinformation items are a few KB) and small enough to parse at once. */
export const CAP_MAX_BYTES = 512 * 1024;

export type CapImportErrorCode = 'too_large' | 'encoding' | 'not_xml' | 'dtd' | 'schema' | 'not_cap' | 'not_a_warning';

export class CapImportError extends Error {
  override readonly name = 'CapImportError';
  constructor(
    readonly code: CapImportErrorCode,
    /** A message key (common/i18n) and its values: the caller says it in the reader's language. */
    readonly key: 'cap.import.tooLarge' | 'cap.import.encoding' | 'cap.import.notXml' | 'cap.import.dtd' | 'cap.import.schema' | 'cap.import.notCap' | 'cap.import.notAWarning',
    readonly values: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(values)}`);
  }
}

export interface CapArea {
  desc: string;
  geocodes: { valueName: string; value: string }[];
}

export interface CapInfo {
  language: string;
  category: string;
  event: string;
  severity: string;
  headline: string;
  description: string;
  instruction: string;
  web: string | null;
  areas: CapArea[];
}

/** An alert as every source gives it to us. */
export interface CapAlert {
  sender: string;
  identifier: string;
  sent: string;
  status: string;
  msgType: string;
  infos: CapInfo[];
}

/** What `npx utrop cap import --json` prints: the draft crisis message an alert suggests. */
export interface CapDraft {
  msgType: CrisisMsgType;
  headline: string;
  description: string;
  instruction: string;
  area: string;
  languages: CrisisLanguage[];
}

/** CAP's own identity of an alert: the triple `references` uses (CAP 1.2 §3.2.1). */
export function capIdentity(a: Pick<CapAlert, 'sender' | 'identifier' | 'sent'>): string {
  return `${a.sender},${a.identifier},${a.sent}`;
}

/** Strict UTF-8 (a BOM is dropped); anything else is refused rather than guessed. */
export function decodeCapBytes(bytes: Uint8Array): string {
  if (bytes.length > CAP_MAX_BYTES) throw new CapImportError('too_large', 'cap.import.tooLarge', { max: CAP_MAX_BYTES / 1024 });
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CapImportError('encoding', 'cap.import.encoding');
  }
}

/** The checks before the schema: size, NUL, a UTF-8 declaration only, no DTD, well-formed XML. */
export function precheckCapXml(xml: string): void {
  if (new TextEncoder().encode(xml).length > CAP_MAX_BYTES) throw new CapImportError('too_large', 'cap.import.tooLarge', { max: CAP_MAX_BYTES / 1024 });
  if (xml.includes('\u0000')) throw new CapImportError('encoding', 'cap.import.encoding');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(xml)?.[1];
  if (declared && declared.toLowerCase() !== 'utf-8') throw new CapImportError('encoding', 'cap.import.encoding');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new CapImportError('dtd', 'cap.import.dtd');
  if (!/^\s*</.test(xml) || XMLValidator.validate(xml) !== true) throw new CapImportError('not_xml', 'cap.import.notXml');
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // No DTD ever reaches here (precheckCapXml), so only XML's five predefined entities and character references remain.
  processEntities: true,
  isArray: (name) => ['info', 'area', 'geocode', 'areaDesc'].includes(name),
});

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Reads an alert that passed precheckCapXml and the schema. */
export function parseCapXml(xml: string): CapAlert {
  const doc = parser.parse(xml) as Record<string, unknown>;
  const alert = doc.alert as Record<string, unknown> | undefined;
  if (!alert || typeof alert !== 'object') throw new CapImportError('not_cap', 'cap.import.notCap');
  const infos = ((alert.info as Record<string, unknown>[] | undefined) ?? []).map(
    (i): CapInfo => ({
      language: str(i.language) || 'en-US',
      category: str(Array.isArray(i.category) ? i.category[0] : i.category),
      event: str(i.event),
      severity: str(i.severity),
      headline: str(i.headline),
      description: str(i.description),
      instruction: str(i.instruction),
      web: str(i.web) || null,
      areas: ((i.area as Record<string, unknown>[] | undefined) ?? []).map((a) => ({
        desc: ((a.areaDesc as unknown[] | undefined) ?? []).map(str).join(', '),
        geocodes: ((a.geocode as Record<string, unknown>[] | undefined) ?? []).map((g) => ({ valueName: str(g.valueName), value: str(g.value) })),
      })),
    }),
  );
  return { sender: str(alert.sender), identifier: str(alert.identifier), sent: str(alert.sent), status: str(alert.status), msgType: str(alert.msgType), infos };
}

/** The CAP-shaped JSON of a VMA feed (Sveriges Radio's VMA API: `{ alerts: [ … ] }`), checked field by field. */
const jsonText = z.string().max(20_000).optional().default('');
const vmaAlert = z.object({
  identifier: z.string().min(1).max(500),
  sender: z.string().min(1).max(500),
  sent: z.string().min(1).max(100),
  status: z.string().max(50),
  msgType: z.string().max(50),
  info: z
    .array(
      z.object({
        language: z.string().max(50).optional(),
        category: z.union([z.string(), z.array(z.string())]).optional(),
        event: jsonText,
        severity: jsonText,
        headline: jsonText,
        description: jsonText,
        instruction: jsonText,
        web: z.string().max(2000).optional(),
        area: z
          .array(
            z.object({
              areaDesc: z.string().max(5000).default(''),
              geocode: z.array(z.object({ valueName: z.string().max(200), value: z.string().max(200) })).max(500).optional().default([]),
            }),
          )
          .max(200)
          .optional()
          .default([]),
      }),
    )
    .max(20)
    .default([]),
});
export const vmaFeedSchema = z.object({ alerts: z.array(vmaAlert).max(500) });

export function capAlertFromJson(a: z.infer<typeof vmaAlert>): CapAlert {
  return {
    sender: a.sender,
    identifier: a.identifier,
    sent: a.sent,
    status: a.status,
    msgType: a.msgType,
    infos: a.info.map((i) => ({
      language: i.language || 'en-US',
      category: Array.isArray(i.category) ? (i.category[0] ?? '') : (i.category ?? ''),
      event: i.event,
      severity: i.severity,
      headline: i.headline,
      description: i.description,
      instruction: i.instruction,
      web: i.web || null,
      areas: i.area.map((x) => ({ desc: x.areaDesc, geocodes: x.geocode })),
    })),
  };
}

/** xs:language → our crisis languages (sv-SE-x-lattlast is easy Swedish, as our export writes it). */
export function crisisLanguageOf(tag: string): CrisisLanguage | null {
  const t = tag.toLowerCase();
  if (t.startsWith('sv') && t.includes('lattlast')) return 'sv-easy';
  if (t === 'sv' || t.startsWith('sv-')) return 'sv';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

const msgTypes: Record<string, CrisisMsgType> = { Alert: 'alert', Update: 'update', Cancel: 'all_clear' };

/** One line, as the templates want their variables: control characters and runs of space become one space. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed here
  return s.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

/** The draft message an alert suggests: its Swedish info where there is one, else its first. */
export function draftOf(alert: CapAlert): CapDraft {
  const msgType = msgTypes[alert.msgType];
  if (!msgType) throw new CapImportError('not_a_warning', 'cap.import.notAWarning', { msgType: alert.msgType.slice(0, 20) });
  const info = alert.infos.find((i) => crisisLanguageOf(i.language) === 'sv') ?? alert.infos[0];
  if (!info) throw new CapImportError('not_cap', 'cap.import.notCap');
  const languages = [...new Set(alert.infos.map((i) => crisisLanguageOf(i.language)).filter((l): l is CrisisLanguage => l !== null))];
  return {
    msgType,
    headline: oneLine(info.headline || info.event),
    description: info.description.trim(),
    instruction: info.instruction.trim(),
    area: oneLine([...new Set(info.areas.map((a) => a.desc).filter(Boolean))].join(', ')),
    languages,
  };
}

/** The city's area for incoming warnings: SCB codes (kommun 1283, län 12) and names, any of which matches. */
export interface CapAreaFilter {
  geocodes: string[];
  names: string[];
}

export function alertConcernsArea(alert: CapAlert, filter: CapAreaFilter): boolean {
  const names = filter.names.map((n) => n.toLowerCase()).filter(Boolean);
  return alert.infos.some((i) =>
    i.areas.some((a) => a.geocodes.some((g) => filter.geocodes.includes(g.value.trim())) || names.some((n) => a.desc.toLowerCase().includes(n))),
  );
}

/** The columns an alert is stored with (crisis_cap_alerts), from the alert and its draft. */
export function storedFieldsOf(alert: CapAlert, draft: CapDraft) {
  const info = alert.infos.find((i) => crisisLanguageOf(i.language) === 'sv') ?? alert.infos[0];
  const web = info?.web && /^https:\/\//i.test(info.web) ? info.web.slice(0, 500) : null;
  return {
    identity: capIdentity(alert).slice(0, 1500),
    sender: alert.sender.slice(0, 500),
    identifier: alert.identifier.slice(0, 500),
    sent: alert.sent.slice(0, 100),
    status: alert.status.slice(0, 50),
    msgType: draft.msgType,
    event: (info?.event ?? '').slice(0, 500),
    category: (info?.category ?? '').slice(0, 50),
    severity: (info?.severity ?? '').slice(0, 50),
    headline: draft.headline.slice(0, 500) || alert.identifier.slice(0, 500),
    description: draft.description.slice(0, 20_000),
    instruction: draft.instruction.slice(0, 20_000),
    area: draft.area.slice(0, 5_000),
    languages: draft.languages,
    web,
  };
}
