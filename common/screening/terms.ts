/**
 * A tiny, explainable term language shared by the screening and moderation word lists, so the city can edit lists
 * in configuration without writing regular expressions:
 *
 * - `diagnos`      a word that starts with the term (diagnos, diagnosen, diagnoser), case-insensitive;
 * - `*missbruk`    the term anywhere in a word, for Swedish compounds (alkoholmissbruk, missbruksvård);
 * - `=rea`         exactly that word, case-insensitive (not "reagera");
 * - `LVU`          all capitals: exactly that word, case-sensitive (an acronym, not "lvu" inside a word);
 * - `psykisk ohälsa` several words, any whitespace between them, the last one matched as a prefix.
 */

export interface TermMatch {
  term: string;
  start: number;
  end: number;
  text: string;
}

const letter = '\\p{L}';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileTerm(term: string): RegExp | null {
  const raw = term.trim();
  if (!raw) return null;
  if (/^[\p{Lu}\d]{2,}$/u.test(raw)) {
    return new RegExp(`(?<![${letter}\\p{N}])${escape(raw)}(?![${letter}\\p{N}])`, 'gu');
  }
  if (raw.startsWith('=')) {
    const body = raw.slice(1).trim().split(/\s+/).map(escape).join('\\s+');
    return body ? new RegExp(`(?<![${letter}\\p{N}])${body}(?![${letter}\\p{N}])`, 'giu') : null;
  }
  if (raw.startsWith('*')) {
    const body = raw.slice(1).trim().split(/\s+/).map(escape).join('\\s+');
    // Starting only at a word start keeps the scan linear on long words.
    return body ? new RegExp(`(?<![${letter}])[${letter}]*?${body}[${letter}]*`, 'giu') : null;
  }
  const body = raw.split(/\s+/).map(escape).join('\\s+');
  return new RegExp(`(?<![${letter}\\p{N}])${body}[${letter}]*`, 'giu');
}

const cache = new Map<string, RegExp | null>();

function compiled(term: string): RegExp | null {
  let re = cache.get(term);
  if (re === undefined) {
    re = compileTerm(term);
    if (cache.size > 2000) cache.clear();
    cache.set(term, re);
  }
  return re;
}

const anyCache = new Map<string, RegExp | null>();
// The same list (the configured one) comes in on every call: found by identity before its contents are joined.
const anyByList = new WeakMap<readonly string[], RegExp | null>();

/**
 * One pattern that matches wherever any of the terms would (their alternation, case-insensitive: a case-sensitive
 * match is also a case-insensitive one). Most texts contain none of a list's terms, and one scan that says so
 * replaces a scan per term (the worker's last screening check spent most of its time there); when it does match, the
 * exact per-term scan below runs, so what is found is unchanged.
 */
function anyOf(terms: readonly string[]): RegExp | null {
  const known = anyByList.get(terms);
  if (known !== undefined) return known;
  const key = terms.join('\u0000');
  let re = anyCache.get(key);
  if (re === undefined) {
    const sources = terms.map((t) => compiled(t)?.source).filter((x): x is string => !!x);
    re = sources.length > 0 ? new RegExp(sources.map((x) => `(?:${x})`).join('|'), 'iu') : null;
    if (anyCache.size > 200) anyCache.clear();
    anyCache.set(key, re);
  }
  // Only a frozen list can be trusted to keep the contents it had when it was first seen.
  if (Object.isFrozen(terms)) anyByList.set(terms, re);
  return re;
}

/** Every occurrence of every term, in text order. */
export function findTerms(text: string, terms: readonly string[]): TermMatch[] {
  const out: TermMatch[] = [];
  const any = anyOf(terms);
  if (!any || !any.test(text)) return out;
  for (const term of terms) {
    const re = compiled(term);
    if (!re) continue;
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      out.push({ term, start: m.index, end: m.index + m[0].length, text: m[0] });
    }
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}
