/**
 * Comment classifier: suggests moderation labels from the city's policy with the rule that matched and why.
 * It only suggests; a person decides. Pure and synchronous, like common/screening.
 */
import { t, defaultLocale, type Locale } from '../i18n';
import { screenText, type Finding, type ScreeningOptions } from '../screening';
import { findTerms } from '../screening/terms';
import { inflectionSuffixes, offensiveWords, type OffensiveWord } from './offensive-words';
import {
  defaultAdvertisingTerms,
  defaultContactMeTerms,
  defaultLinkShorteners,
  defaultQuestionOpeners,
  defaultQuestionPhrases,
  defaultSpamTerms,
  defaultVarQuestionFollowers,
  type WeightedTerm,
} from './vocabulary';

export { offensiveWords, inflectionSuffixes, type OffensiveWord } from './offensive-words';
export * from './vocabulary';

/** The policy's reason codes (sociala-medier.txt) plus `question`, which drives answer-time targets. */
export const moderationLabels = [
  'spam',
  'repeated',
  'advertising',
  'irrelevant',
  'offensive',
  'confidential',
  'personal_data',
  'question',
] as const;
export type ModerationLabel = (typeof moderationLabels)[number];

export interface CommentInput {
  text: string;
  author?: string | null;
  /** When it was written; defaults to the context's `now`. */
  at?: Date | string | null;
  id?: string | null;
}

export interface Evidence {
  start: number;
  end: number;
  text: string;
}

export interface LabelSuggestion {
  label: ModerationLabel;
  /** The strongest rule that matched, e.g. `offensive.word:idiot`. */
  rule: string;
  /** 0–1: how sure the rule is, not a probability. */
  score: number;
  /** For the agent, in the context's language. */
  explanation: string;
  /** Every rule behind this label, strongest first. */
  rules: string[];
  /** The matched spans of the comment (UTF-16 offsets). Empty for rules about other comments. */
  evidence: Evidence[];
}

export interface Classification {
  labels: LabelSuggestion[];
}

export interface IrrelevantRule {
  id: string;
  terms: readonly string[];
  score?: number;
}

export interface ModerationOptions {
  /** Suggestions below this score are dropped. */
  minScore: number;
  repeatWindowMinutes: number;
  /** Jaccard similarity of character trigrams at or above which two comments count as the same. */
  repeatSimilarity: number;
  /** Shorter normalised texts ("Tack!", "👍") are never "repeated": many people say them. */
  repeatMinLength: number;
  /** Distinct authors, this one included, for the many-authors rule. */
  repeatManyAuthors: number;
  linkShorteners: readonly string[];
  manyLinks: number;
  /** Other recent comments carrying the same link for the repeated-link rule. */
  repeatedLinkMin: number;
  advertisingTerms: readonly WeightedTerm[];
  spamTerms: readonly WeightedTerm[];
  contactMeTerms: readonly string[];
  offensiveWords: readonly OffensiveWord[];
  questionOpeners: readonly string[];
  questionPhrases: readonly string[];
  irrelevantRules: readonly IrrelevantRule[];
  screening: Partial<ScreeningOptions>;
}

export interface ClassifyContext {
  /** Recent comments on the same channel (any order); the comment itself may be among them (same id). */
  recent?: readonly CommentInput[];
  now?: Date;
  locale?: Locale;
  options?: Partial<ModerationOptions>;
}

export function moderationDefaults(): ModerationOptions {
  return {
    minScore: 0.5,
    repeatWindowMinutes: 24 * 60,
    repeatSimilarity: 0.8,
    repeatMinLength: 12,
    repeatManyAuthors: 3,
    linkShorteners: defaultLinkShorteners,
    manyLinks: 3,
    repeatedLinkMin: 2,
    advertisingTerms: defaultAdvertisingTerms,
    spamTerms: defaultSpamTerms,
    contactMeTerms: defaultContactMeTerms,
    offensiveWords,
    questionOpeners: defaultQuestionOpeners,
    questionPhrases: defaultQuestionPhrases,
    irrelevantRules: [],
    screening: {},
  };
}

interface Hit {
  label: ModerationLabel;
  rule: string;
  score: number;
  explanation: string;
  evidence: Evidence[];
}

const clamp = (n: number) => Math.max(0, Math.min(0.99, Math.round(n * 100) / 100));
const list = (items: string[]) => [...new Set(items)].join(', ');

// ---------------------------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------------------------

/** Lower case, no punctuation or emoji, single spaces: what "the same text" compares. */
export function normaliseForComparison(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function trigrams(s: string): Set<string> {
  const padded = ` ${s} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** Jaccard similarity of character trigrams: robust to small edits, an added emoji or a changed word. */
export function similarity(a: string, b: string): number {
  const na = normaliseForComparison(a);
  const nb = normaliseForComparison(b);
  if (na === nb) return 1;
  const ta = trigrams(na);
  const tb = trigrams(nb);
  let shared = 0;
  for (const g of ta) if (tb.has(g)) shared++;
  const union = ta.size + tb.size - shared;
  return union === 0 ? 0 : shared / union;
}

const linkPattern =
  /(?:https?:\/\/|www\.)[^\s<>"')\]]+|(?<![\p{L}\p{N}@.-])(?:[a-z0-9-]+\.)+(?:se|com|nu|net|org|io|ly|gy|gl|cc|at|in|st|co|shop|store|info|biz|xyz|me)(?:\/[^\s<>"')\]]*)?(?![\p{L}\p{N}])/giu;

interface Link extends Evidence {
  host: string;
  /** Host and path without the scheme, "www." or a trailing slash: what "the same link" compares. */
  key: string;
}

export function findLinks(text: string): Link[] {
  const out: Link[] = [];
  for (const m of text.matchAll(linkPattern)) {
    const raw = m[0].replace(/[.,!?;:]+$/, '');
    const bare = raw.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
    const host = (bare.split(/[/?#]/)[0] ?? '').toLowerCase();
    const key = `${host}${bare.slice(host.length).replace(/\/$/, '')}`;
    out.push({ start: m.index, end: m.index + raw.length, text: raw, host, key });
  }
  return out;
}

function timeOf(at: CommentInput['at'], fallback: Date): number {
  if (at instanceof Date) return at.getTime();
  if (typeof at === 'string') {
    const ms = Date.parse(at);
    if (!Number.isNaN(ms)) return ms;
  }
  return fallback.getTime();
}

// ---------------------------------------------------------------------------------------------------------------
// Offensive words: undo l33t, spacing and repeated letters, keep offsets into the original
// ---------------------------------------------------------------------------------------------------------------

const leet: Record<string, string> = { '4': 'a', '@': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', $: 's', '5': 's', '7': 't' };
const fold = (s: string) => s.replace(/[åä]/g, 'a').replace(/ö/g, 'o');
const collapse = (s: string) => s.replace(/(\p{L})\1+/gu, '$1');
const nordic = /[åäö]/;

interface Token extends Evidence {
  /** Lower case with l33t undone. */
  skeleton: string;
}

function tokens(text: string): Token[] {
  const raw: Token[] = [];
  // "!" counts as an "i" only inside a word, not as the exclamation mark after one.
  for (const m of text.matchAll(/[\p{L}\p{N}$@]+(?:!+[\p{L}\p{N}$@]+)*/gu)) {
    const word = m[0];
    if (!/\p{L}/u.test(word)) continue;
    const skeleton = [...word.toLowerCase()].map((c) => leet[c] ?? c).join('');
    if (!/^\p{L}+$/u.test(skeleton)) continue;
    raw.push({ start: m.index, end: m.index + word.length, text: word, skeleton });
  }
  // "i d i o t", "i.d.i.o.t", "i-d-i-o-t": three or more single letters with one or two separators between.
  const merged: Token[] = [];
  for (let i = 0; i < raw.length; i++) {
    let j = i;
    while (
      j + 1 < raw.length &&
      raw[j]!.skeleton.length === 1 &&
      raw[j + 1]!.skeleton.length === 1 &&
      /^[\s.\-_*·]{1,2}$/u.test(text.slice(raw[j]!.end, raw[j + 1]!.start))
    ) {
      j++;
    }
    if (j - i >= 2) {
      const parts = raw.slice(i, j + 1);
      merged.push({ start: parts[0]!.start, end: parts.at(-1)!.end, text: text.slice(parts[0]!.start, parts.at(-1)!.end), skeleton: parts.map((p) => p.skeleton).join('') });
      i = j;
    }
  }
  return [...raw, ...merged];
}

function matchesWord(token: Token, word: OffensiveWord, suffixes: ReadonlySet<string>): boolean {
  const useFold = word.fold !== false && !nordic.test(token.skeleton);
  const tok = collapse(useFold ? fold(token.skeleton) : token.skeleton);
  const stem = collapse(useFold ? fold(word.stem) : word.stem);
  if (word.mode === 'compound') return tok.includes(stem);
  if (!tok.startsWith(stem)) return false;
  return word.mode === 'prefix' || suffixes.has(tok.slice(stem.length));
}

const severityScore = { 1: 0.4, 2: 0.75, 3: 0.95 } as const;

function offensive(text: string, words: readonly OffensiveWord[], locale: Locale): Hit | null {
  const suffixes = new Set(inflectionSuffixes.map(collapse));
  const hits: { token: Token; word: OffensiveWord }[] = [];
  for (const token of tokens(text)) {
    const word = words
      .filter((w) => matchesWord(token, w, suffixes))
      .sort((a, b) => b.severity - a.severity)[0];
    if (word && !hits.some((h) => h.token.start <= token.start && token.end <= h.token.end)) hits.push({ token, word });
  }
  if (!hits.length) return null;
  hits.sort((a, b) => b.word.severity - a.word.severity);
  const top = hits[0]!;
  const score = severityScore[top.word.severity] + 0.1 * (hits.length - 1);
  return {
    label: 'offensive',
    rule: `offensive.${top.word.mode}:${top.word.stem}`,
    score: clamp(score),
    explanation: t('moderation.offensive', { matched: list(hits.map((h) => h.token.text)) }, locale),
    evidence: hits.map(({ token }) => ({ start: token.start, end: token.end, text: token.text })).sort((a, b) => a.start - b.start),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------------------------

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phraseRe = (s: string) => s.trim().split(/\s+/).map(escapeRe).join('\\s+');

function question(text: string, opts: ModerationOptions, locale: Locale): Hit[] {
  // A "?" inside a link is a query string, not a question.
  let plain = text;
  for (const link of findLinks(text)) plain = plain.slice(0, link.start) + ' '.repeat(link.end - link.start) + plain.slice(link.end);
  const out: Hit[] = [];
  const mark = plain.indexOf('?');
  if (mark >= 0) {
    const from = Math.max(0, plain.lastIndexOf('\n', mark) + 1, ...['.', '!'].map((c) => plain.lastIndexOf(c, mark) + 1));
    const sentence = { start: from + (plain.slice(from, mark).length - plain.slice(from, mark).trimStart().length), end: mark + 1 };
    const span = { ...sentence, text: text.slice(sentence.start, sentence.end) };
    out.push({ label: 'question', rule: 'question.mark', score: 0.9, explanation: t('moderation.question', { matched: span.text }, locale), evidence: [span] });
  }
  const starts = [0, ...[...plain.matchAll(/[.!?\n]+\s*/gu)].map((m) => m.index + m[0].length)];
  for (const s of starts) {
    const rest = plain.slice(s, s + 60);
    const opener = opts.questionOpeners.find((o) => new RegExp(`^\\s*${phraseRe(o)}(?![\\p{L}\\p{N}])`, 'iu').test(rest));
    const varQuestion = new RegExp(`^\\s*var\\s+(?:${defaultVarQuestionFollowers.join('|')})(?![\\p{L}\\p{N}])`, 'iu').exec(rest);
    if (opener || varQuestion) {
      const lead = rest.length - rest.trimStart().length;
      const len = opener ? rest.trimStart().match(new RegExp(`^${phraseRe(opener)}`, 'iu'))![0].length : varQuestion![0].trimStart().length;
      const span = { start: s + lead, end: s + lead + len, text: text.slice(s + lead, s + lead + len) };
      out.push({
        label: 'question',
        rule: `question.opener:${opener ?? 'var'}`,
        score: opener ? 0.75 : 0.6,
        explanation: t('moderation.question', { matched: span.text }, locale),
        evidence: [span],
      });
      break;
    }
  }
  for (const m of findTerms(plain, opts.questionPhrases)) {
    const span = { start: m.start, end: m.end, text: text.slice(m.start, m.end) };
    out.push({ label: 'question', rule: `question.phrase:${m.term}`, score: 0.7, explanation: t('moderation.question', { matched: span.text }, locale), evidence: [span] });
    break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Spam, advertising, repetition
// ---------------------------------------------------------------------------------------------------------------

function weighted(text: string, terms: readonly WeightedTerm[]): { score: number; matches: Evidence[]; terms: string[] } {
  const byTerm = new Map(terms.map((w) => [w.term, w.weight]));
  const found = findTerms(text, terms.map((w) => w.term));
  const seen = new Set<string>();
  let score = 0;
  const counted: Evidence[] = [];
  for (const m of found) {
    // "investera" matches both "invest" and "investera": one word counts once.
    if (seen.has(m.term) || counted.some((c) => c.start < m.end && m.start < c.end)) continue;
    seen.add(m.term);
    counted.push(m);
    score += byTerm.get(m.term) ?? 0;
  }
  return { score, matches: found.map(({ start, end, text: s }) => ({ start, end, text: s })), terms: [...seen] };
}

function repeatedHits(comment: CommentInput, recent: readonly CommentInput[], opts: ModerationOptions, now: Date, locale: Locale): Hit[] {
  if (normaliseForComparison(comment.text).length < opts.repeatMinLength) return [];
  const at = timeOf(comment.at, now);
  const windowMs = opts.repeatWindowMinutes * 60_000;
  const hours = Math.round((opts.repeatWindowMinutes / 60) * 10) / 10;
  let sameAuthorBest = 0;
  const otherAuthors = new Set<string>();
  recent.forEach((other, i) => {
    if (other === comment || (comment.id && other.id === comment.id)) return;
    if (Math.abs(at - timeOf(other.at, now)) > windowMs) return;
    const sim = similarity(comment.text, other.text);
    if (sim < opts.repeatSimilarity) return;
    if (comment.author && other.author === comment.author) sameAuthorBest = Math.max(sameAuthorBest, sim);
    else otherAuthors.add(other.author ? `a:${other.author}` : `anonymous:${i}`);
  });
  const out: Hit[] = [];
  if (sameAuthorBest > 0) {
    out.push({
      label: 'repeated',
      rule: 'repeated.same-author',
      score: clamp(0.6 + 0.35 * sameAuthorBest),
      explanation: t('moderation.repeatedSameAuthor', { similarity: Math.round(sameAuthorBest * 100), hours }, locale),
      evidence: [],
    });
  }
  const authors = otherAuthors.size + 1;
  if (authors >= opts.repeatManyAuthors) {
    out.push({
      label: 'repeated',
      rule: 'repeated.many-authors',
      score: clamp(0.6 + 0.1 * authors),
      explanation: t('moderation.repeatedManyAuthors', { authors, hours }, locale),
      evidence: [],
    });
  }
  return out;
}

function spamHits(comment: CommentInput, recent: readonly CommentInput[], findings: Finding[], opts: ModerationOptions, now: Date, locale: Locale): Hit[] {
  const text = comment.text;
  const out: Hit[] = [];
  const links = findLinks(text);
  const shorteners = new Set(opts.linkShorteners.map((s) => s.toLowerCase()));
  const short = links.filter((l) => shorteners.has(l.host) || shorteners.has(l.host.replace(/^www\./, '')));
  if (short.length) {
    out.push({ label: 'spam', rule: 'spam.link-shortener', score: 0.6, explanation: t('moderation.linkShortener', { matched: list(short.map((l) => l.text)) }, locale), evidence: short });
  }
  if (links.length >= opts.manyLinks) {
    out.push({ label: 'spam', rule: 'spam.many-links', score: clamp(0.55 + 0.05 * links.length), explanation: t('moderation.manyLinks', { count: links.length }, locale), evidence: links });
  }
  if (links.length) {
    const at = timeOf(comment.at, now);
    const windowMs = opts.repeatWindowMinutes * 60_000;
    const others = recent.filter((o) => o !== comment && !(comment.id && o.id === comment.id) && Math.abs(at - timeOf(o.at, now)) <= windowMs);
    const otherKeys = others.map((o) => new Set(findLinks(o.text).map((l) => l.key)));
    for (const link of links) {
      const count = otherKeys.filter((keys) => keys.has(link.key)).length;
      if (count >= opts.repeatedLinkMin) {
        out.push({
          label: 'spam',
          rule: 'spam.repeated-link',
          score: clamp(0.7 + 0.05 * count),
          explanation: t('moderation.repeatedLink', { matched: link.text, count, hours: Math.round(opts.repeatWindowMinutes / 6) / 10 }, locale),
          evidence: [link],
        });
        break;
      }
    }
  }
  const linkBonus = links.length ? 0.2 : 0;
  const spamWords = weighted(text, opts.spamTerms);
  if (spamWords.score > 0) {
    out.push({ label: 'spam', rule: `spam.vocabulary:${spamWords.terms[0]}`, score: clamp(spamWords.score + linkBonus), explanation: t('moderation.spamVocabulary', { matched: list(spamWords.matches.map((m) => m.text)) }, locale), evidence: spamWords.matches });
  }
  const contact = findTerms(text, opts.contactMeTerms);
  if (contact.length) {
    const details = findings.some((f) => f.kind === 'phone' || f.kind === 'email') ? 0.3 : 0;
    out.push({
      label: 'spam',
      rule: `spam.contact-me:${contact[0]!.term}`,
      score: clamp(0.45 + details + linkBonus / 2),
      explanation: t('moderation.contactMe', { matched: list(contact.map((c) => c.text)) }, locale),
      evidence: contact.map(({ start, end, text: s }) => ({ start, end, text: s })),
    });
  }
  const ads = weighted(text, opts.advertisingTerms);
  if (ads.score > 0) {
    out.push({ label: 'advertising', rule: `advertising.vocabulary:${ads.terms[0]}`, score: clamp(ads.score + linkBonus), explanation: t('moderation.commercial', { matched: list(ads.matches.map((m) => m.text)) }, locale), evidence: ads.matches });
  }
  return out;
}

function screeningHits(findings: Finding[], locale: Locale): Hit[] {
  return findings.map((f) => {
    const span = { start: f.start, end: f.end, text: f.text };
    if (f.kind === 'sensitive') {
      return { label: 'confidential', rule: `screening.${f.rule}`, score: 0.7, explanation: t('moderation.confidential', { term: f.text }, locale), evidence: [span] };
    }
    const strong = f.kind === 'personnummer' || f.kind === 'samordningsnummer';
    // The explanation names the kind and the place, never the number itself: it is shown and stored elsewhere.
    return {
      label: 'personal_data',
      rule: `screening.${f.rule}`,
      score: strong ? 0.95 : f.kind === 'address' ? 0.7 : 0.6,
      explanation: t('moderation.personalData', { kind: f.kind, start: f.start, end: f.end }, locale),
      evidence: [span],
    };
  });
}

function irrelevantHits(text: string, rules: readonly IrrelevantRule[], locale: Locale): Hit[] {
  const out: Hit[] = [];
  for (const rule of rules) {
    const found = findTerms(text, rule.terms);
    if (!found.length) continue;
    out.push({
      label: 'irrelevant',
      rule: `irrelevant.rule:${rule.id}`,
      score: clamp(rule.score ?? 0.6),
      explanation: t('moderation.irrelevant', { rule: rule.id, matched: list(found.map((f) => f.text)) }, locale),
      evidence: found.map(({ start, end, text: s }) => ({ start, end, text: s })),
    });
  }
  return out;
}

/**
 * Several rules for one label make it more likely (noisy-or); the strongest rule names the suggestion.
 * `irrelevant` is suggested only by configured rules: by default an agent sets it by hand.
 */
export function classifyComment(comment: CommentInput, context: ClassifyContext = {}): Classification {
  const opts: ModerationOptions = { ...moderationDefaults(), ...context.options };
  const locale = context.locale ?? defaultLocale;
  const now = context.now ?? new Date();
  const text = comment.text ?? '';
  if (!text.trim()) return { labels: [] };
  const recent = context.recent ?? [];
  const findings = screenText(text, { now, locale, ...opts.screening });
  const hits: Hit[] = [
    ...repeatedHits(comment, recent, opts, now, locale),
    ...spamHits(comment, recent, findings, opts, now, locale),
    ...screeningHits(findings, locale),
    ...question(text, opts, locale),
    ...irrelevantHits(text, opts.irrelevantRules, locale),
  ];
  const off = offensive(text, opts.offensiveWords, locale);
  if (off) hits.push(off);

  const labels: LabelSuggestion[] = [];
  for (const label of moderationLabels) {
    const mine = hits.filter((h) => h.label === label).sort((a, b) => b.score - a.score);
    const top = mine[0];
    if (!top) continue;
    const combined = 1 - mine.reduce((p, h) => p * (1 - h.score), 1);
    const score = clamp(combined);
    if (score < opts.minScore) continue;
    const evidence = mine.flatMap((h) => h.evidence.map(({ start, end, text: s }) => ({ start, end, text: s }))).sort((a, b) => a.start - b.start);
    labels.push({
      label,
      rule: top.rule,
      score,
      explanation: [...new Set(mine.map((h) => h.explanation))].join(' '),
      rules: mine.map((h) => h.rule),
      evidence: evidence.filter((e, i) => i === 0 || e.start !== evidence[i - 1]!.start || e.end !== evidence[i - 1]!.end),
    });
  }
  return { labels: labels.sort((a, b) => b.score - a.score) };
}
