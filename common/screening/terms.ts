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

/** Every occurrence of every term, in text order. */
export function findTerms(text: string, terms: readonly string[]): TermMatch[] {
  const out: TermMatch[] = [];
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
