/**
 * Pre-publish screening for personal data. Pure and synchronous (no I/O, no Node built-ins) so the same code runs in
 * the composer's live feedback in the browser, the crisis screen, the REST API and the worker's last gate.
 * Offsets are UTF-16 code units of the input, i.e. JavaScript string indices.
 */
import Personnummer from 'personnummer';
import { t, defaultLocale, type Locale } from '../i18n';
import { defaultNameStopwords, defaultSensitiveTerms, defaultStreetSuffixes } from './defaults';
import { findTerms } from './terms';

export { defaultNameStopwords, defaultSensitiveTerms, defaultStreetSuffixes } from './defaults';
export { compileTerm, findTerms, type TermMatch } from './terms';

export const findingKinds = ['personnummer', 'samordningsnummer', 'phone', 'email', 'address', 'sensitive'] as const;
export type FindingKind = (typeof findingKinds)[number];
export type Severity = 'block' | 'warning';

export interface Finding {
  kind: FindingKind;
  start: number;
  end: number;
  text: string;
  severity: Severity;
  /** Which rule matched, stable for logs, tests and the "why" shown to the user. */
  rule: string;
  message: string;
}

export interface ScreeningOptions {
  /** Turn single detectors off (all on by default). */
  detectors: Partial<Record<FindingKind, boolean>>;
  /** Override a kind's severity; personnummer and samordningsnummer block, the rest warn by default. */
  severity: Partial<Record<FindingKind, Severity>>;
  /** Health/social-services/offence words flagged when near a name (syntax in ./terms.ts). */
  sensitiveTerms: readonly string[];
  streetSuffixes: readonly string[];
  /** Capitalised words that never make up a person's name (lower case). */
  nameStopwords: readonly string[];
  /** Most words allowed between a name and an address or a sensitive word. */
  nameWindowWords: number;
  /** The organisation's own addresses, e.g. "helsingborg.se": not personal data. */
  allowedEmailDomains: readonly string[];
  /** The organisation's own phone numbers in national digits, e.g. "042105000". */
  allowedPhoneNumbers: readonly string[];
  /** Birth dates after this instant are not personnummer (a 12-digit number with a future date is something else). */
  now: Date;
  locale: Locale;
}

export const defaultSeverity: Record<FindingKind, Severity> = {
  personnummer: 'block',
  samordningsnummer: 'block',
  phone: 'warning',
  email: 'warning',
  address: 'warning',
  sensitive: 'warning',
};

export function screeningDefaults(): ScreeningOptions {
  return {
    detectors: {},
    severity: {},
    sensitiveTerms: defaultSensitiveTerms,
    streetSuffixes: defaultStreetSuffixes,
    nameStopwords: defaultNameStopwords,
    nameWindowWords: 8,
    allowedEmailDomains: [],
    allowedPhoneNumbers: [],
    now: new Date(),
    locale: defaultLocale,
  };
}

type Draft = Omit<Finding, 'severity' | 'message'> & { params?: Record<string, string> };

// ---------------------------------------------------------------------------------------------------------------
// Personnummer and samordningsnummer
// ---------------------------------------------------------------------------------------------------------------

// 6 or 8 digits, an optional separator (-, + or one space), 4 digits; not inside a longer run of digits or a word.
const pnrPattern = /(?<![\p{L}\p{N}])(\d{8}|\d{6})([-+ ]?)(\d{4})(?![\p{L}\p{N}])/gu;

function detectIdentityNumbers(text: string, now: Date): Draft[] {
  const out: Draft[] = [];
  for (const m of text.matchAll(pnrPattern)) {
    const [whole, head = '', sep = '', tail = ''] = m;
    // The package knows "-" and "+" only; a space is the same as "-" in handwriting.
    const candidate = `${head}${sep === ' ' ? '-' : sep}${tail}`;
    const options = { allowCoordinationNumber: true, allowInterimNumber: false };
    if (!Personnummer.valid(candidate, options)) continue;
    const parsed = Personnummer.parse(candidate, options);
    const coordination = parsed.isCoordinationNumber();
    const year = Number(parsed.fullYear);
    const month = Number(parsed.month);
    const day = Number(parsed.day) - (coordination ? 60 : 0);
    // The package infers the century for 10 digits from today; a 12-digit number can still name a future date.
    if (Date.UTC(year, month - 1, day) > now.getTime()) continue;
    const kind: FindingKind = coordination ? 'samordningsnummer' : 'personnummer';
    const form = head.length === 8 ? '12' : '10';
    const sepName = sep === '' ? 'none' : sep === ' ' ? 'space' : sep === '+' ? 'plus' : 'dash';
    out.push({ kind, start: m.index, end: m.index + whole.length, text: whole, rule: `${kind}.${form}-digit.${sepName}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------------------------

// National: 0, a non-zero digit, 6–8 more digits with single spaces or dashes between groups.
const nationalPhone = /(?<![\p{L}\p{N}+\-/.,:])0[1-9](?:[ -]?\d){6,8}(?![\p{L}\p{N}]|[.,]\d)/gu;
// International: +46 or 0046, an optional (0), then the national number without its 0.
const internationalPhone = /(?<![\p{L}\p{N}+])(?:\+|00)46[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){6,8}(?![\p{L}\p{N}]|[.,]\d)/gu;
// An amount, a count or a percentage after the digits means it is not a phone number.
const amountAfter = /^\s*(?:kr\b|kronor\b|sek\b|:-|%|st\b|m2\b|m²|kvm\b|invånare\b)/iu;

function phoneKind(national: string, groups: string[]): string | null {
  if (/^07[02369]\d{7}$/.test(national)) return 'phone.mobile';
  if (national.length < 8 || national.length > 10) return null;
  // Subscriber numbers never start with 0: "05-06 2026" is a date, not a number in area 05.
  if (groups.length > 1 && groups[1]!.startsWith('0')) return null;
  return 'phone.landline';
}

function detectPhones(text: string, allowed: ReadonlySet<string>): Draft[] {
  const out: Draft[] = [];
  const consider = (m: RegExpMatchArray, national: string, groups: string[], international: boolean) => {
    if (amountAfter.test(text.slice(m.index! + m[0].length, m.index! + m[0].length + 12))) return;
    if (allowed.has(national)) return;
    const rule = phoneKind(national, groups);
    if (!rule) return;
    out.push({ kind: 'phone', start: m.index!, end: m.index! + m[0].length, text: m[0], rule: international ? `${rule}.international` : rule });
  };
  for (const m of text.matchAll(nationalPhone)) {
    consider(m, m[0].replace(/\D/g, ''), m[0].split(/[ -]/), false);
  }
  for (const m of text.matchAll(internationalPhone)) {
    const rest = m[0].replace(/^(?:\+|00)46[ -]?(?:\(0\)[ -]?)?/, '');
    consider(m, `0${rest.replace(/\D/g, '')}`, ['0', ...rest.split(/[ -]/)], true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Email addresses
// ---------------------------------------------------------------------------------------------------------------

const emailPattern = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}])/gu;

function detectEmails(text: string, allowedDomains: readonly string[]): Draft[] {
  const domains = allowedDomains.map((d) => d.toLowerCase().replace(/^@/, ''));
  const out: Draft[] = [];
  for (const m of text.matchAll(emailPattern)) {
    const domain = m[0].slice(m[0].lastIndexOf('@') + 1).toLowerCase();
    if (domains.some((d) => domain === d || domain.endsWith(`.${d}`))) continue;
    out.push({ kind: 'email', start: m.index, end: m.index + m[0].length, text: m[0], rule: 'email' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Names, and what must not stand next to them
// ---------------------------------------------------------------------------------------------------------------

interface Span {
  start: number;
  end: number;
  text: string;
}

const wordPattern = /[\p{L}\p{N}]+/gu;
const capitalised = /(?<![\p{L}\p{N}-])\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?![\p{L}\p{N}])/gu;

interface StreetPatterns {
  /** A street name and its number ("Storgatan 12"). */
  address: RegExp | null;
  /** A word that ends like a street name (not a person's name). */
  word: RegExp | null;
}

// Compiling these per call was most of the screening's cost for a short text (the worker screens every delivery).
const streetCache = new Map<string, StreetPatterns>();

function streetPatterns(suffixes: readonly string[]): StreetPatterns {
  const key = suffixes.join('\u0000');
  let hit = streetCache.get(key);
  if (hit) return hit;
  const alt = suffixes.map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  hit = alt.length
    ? {
        address: new RegExp(`(?<![\\p{L}])\\p{L}*?(?:${alt.join('|')})\\s+\\d{1,4}(?:\\s?[A-Za-z](?![\\p{L}\\p{N}]))?(?![\\p{N}])`, 'giu'),
        word: new RegExp(`(?:${alt.join('|')})$`, 'iu'),
      }
    : { address: null, word: null };
  if (streetCache.size > 50) streetCache.clear();
  streetCache.set(key, hit);
  return hit;
}

/** Whether the text has two capitalised words in a row at all: without them there is no name to stand near. */
function hasCapitalisedPair(text: string): boolean {
  let previousEnd = -1;
  for (const m of text.matchAll(capitalised)) {
    if (previousEnd >= 0 && /^[ \t]+$/.test(text.slice(previousEnd, m.index))) return true;
    previousEnd = m.index + m[0].length;
  }
  return false;
}

/** A person's name: two capitalised words in a row, neither a stop word, a street or a sensitive word. */
function findNames(text: string, opts: ScreeningOptions, isStreetWord: (w: string) => boolean, sensitive: Span[]): Span[] {
  const stop = new Set(opts.nameStopwords.map((w) => w.toLowerCase()));
  const words = [...text.matchAll(capitalised)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
  const usable = (w: Span) =>
    !stop.has(w.text.toLowerCase()) && !isStreetWord(w.text) && !sensitive.some((s) => s.start <= w.start && w.end <= s.end);
  const names: Span[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    const a = words[i]!;
    const b = words[i + 1]!;
    if (!/^[ \t]+$/.test(text.slice(a.end, b.start))) continue;
    if (!usable(a) || !usable(b)) continue;
    names.push({ start: a.start, end: b.end, text: text.slice(a.start, b.end) });
    i++;
  }
  return names;
}

/** Counts the words strictly between two spans (either order). */
function wordsBetween(wordStarts: number[], a: Span, b: Span): number {
  const [first, second] = a.end <= b.start ? [a, b] : [b, a];
  if (first.end > second.start) return 0;
  let n = 0;
  for (const s of wordStarts) if (s >= first.end && s < second.start) n++;
  return n;
}

// A sentence end between a name and an address or a word breaks the link: "… Anna Svensson. Storgatan 12 är avstängd."
const sentenceEnd = /[.!?]+(?:\s|$)|\n/u;

function nearestName(text: string, names: Span[], target: Span, wordStarts: number[], window: number): Span | null {
  let best: Span | null = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const [first, second] = name.end <= target.start ? [name, target] : [target, name];
    if (sentenceEnd.test(text.slice(first.end, Math.max(first.end, second.start)))) continue;
    const d = wordsBetween(wordStarts, name, target);
    if (d <= window && d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function detectNearNames(text: string, opts: ScreeningOptions, want: { address: boolean; sensitive: boolean }): Draft[] {
  if (!hasCapitalisedPair(text)) return [];
  const { address: street, word: streetWord } = streetPatterns(opts.streetSuffixes);
  const sensitive = findTerms(text, opts.sensitiveTerms);
  const names = findNames(text, opts, (w) => !!streetWord?.test(w), sensitive);
  if (!names.length) return [];
  const wordStarts = [...text.matchAll(wordPattern)].map((m) => m.index);
  const out: Draft[] = [];
  if (want.address && street) {
    for (const m of text.matchAll(street)) {
      const address = { start: m.index, end: m.index + m[0].length, text: m[0] };
      const name = nearestName(text, names, address, wordStarts, opts.nameWindowWords);
      if (!name) continue;
      const start = Math.min(name.start, address.start);
      const end = Math.max(name.end, address.end);
      out.push({ kind: 'address', start, end, text: text.slice(start, end), rule: 'address.near-name', params: { name: name.text } });
    }
  }
  if (want.sensitive) {
    for (const term of sensitive) {
      const name = nearestName(text, names, term, wordStarts, opts.nameWindowWords);
      if (!name) continue;
      out.push({
        kind: 'sensitive',
        start: term.start,
        end: term.end,
        text: term.text,
        rule: `sensitive.near-name:${term.term}`,
        params: { name: name.text, term: term.text },
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

const messageKeys = {
  personnummer: 'screening.personnummer',
  samordningsnummer: 'screening.samordningsnummer',
  phone: 'screening.phone',
  email: 'screening.email',
  address: 'screening.address',
  sensitive: 'screening.sensitive',
} as const;

/** Every finding in text order. Identity numbers win over a phone number on the same digits. */
export function screenText(text: string, options: Partial<ScreeningOptions> = {}): Finding[] {
  const opts: ScreeningOptions = { ...screeningDefaults(), ...options };
  const on = (k: FindingKind) => opts.detectors[k] !== false;
  const drafts: Draft[] = [];
  if (!text) return [];
  if (on('personnummer') || on('samordningsnummer')) {
    drafts.push(...detectIdentityNumbers(text, opts.now).filter((d) => on(d.kind)));
  }
  const ids = drafts.slice();
  if (on('phone')) {
    const allowed = new Set(opts.allowedPhoneNumbers.map((p) => p.replace(/\D/g, '').replace(/^(?:0046|46)/, '0')));
    drafts.push(...detectPhones(text, allowed).filter((p) => !ids.some((d) => d.start < p.end && p.start < d.end)));
  }
  if (on('email')) drafts.push(...detectEmails(text, opts.allowedEmailDomains));
  if (on('address') || on('sensitive')) drafts.push(...detectNearNames(text, opts, { address: on('address'), sensitive: on('sensitive') }));
  return drafts
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map(({ params, ...d }) => ({
      ...d,
      severity: opts.severity[d.kind] ?? defaultSeverity[d.kind],
      message: t(messageKeys[d.kind], params ?? {}, opts.locale),
    }));
}

/** True when any finding blocks publication until removed or overridden with a recorded reason. */
export function blocks(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'block');
}
