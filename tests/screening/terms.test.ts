/**
 * The term scan's one-pass pre-check (common/screening/terms.ts) may only skip work, never change what is found:
 * compared with a scan per term over generated texts and term lists of every kind.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileTerm, findTerms, type TermMatch } from '../../common/screening/terms';
import { defaultSensitiveTerms } from '../../common/screening';

function perTerm(text: string, terms: readonly string[]): TermMatch[] {
  const out: TermMatch[] = [];
  for (const term of terms) {
    const re = compileTerm(term);
    if (!re) continue;
    for (const m of text.matchAll(re)) out.push({ term, start: m.index, end: m.index + m[0].length, text: m[0] });
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

const words = ['diagnos', 'missbruk', 'LVU', 'rea', 'psykisk ohälsa', 'ÅÄÖ', 'Straße', 'sjuk', 'ålder', 'HIV'];
const term = fc.oneof(
  fc.constantFrom(...words),
  fc.constantFrom(...words).map((w) => `*${w}`),
  fc.constantFrom(...words).map((w) => `=${w}`),
  fc.string({ minLength: 0, maxLength: 6 }),
);
const piece = fc.oneof(fc.constantFrom(...words, 'Diagnosen', 'alkoholmissbruk', 'reagera', 'lvu', 'Psykisk   Ohälsa', 'STRASSE', ' ', '\n', '!', '3'), fc.string({ maxLength: 5 }));
const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(' '));

describe('findTerms', () => {
  it('finds exactly what a scan per term finds', () => {
    fc.assert(
      fc.property(text, fc.array(term, { maxLength: 8 }), (t, terms) => {
        expect(findTerms(t, terms)).toEqual(perTerm(t, terms));
      }),
      { numRuns: 400 },
    );
  });

  it('with the default sensitive terms, on texts with and without them', () => {
    const samples = ['Vi ses på Stortorget i morgon!', 'Hon har fått en diagnos och behöver hjälp', 'Missbruksvården i Helsingborg', ''];
    for (const s of samples) expect(findTerms(s, defaultSensitiveTerms)).toEqual(perTerm(s, defaultSensitiveTerms));
    expect(findTerms(samples[1]!, defaultSensitiveTerms).length).toBeGreaterThan(0);
    expect(findTerms(samples[0]!, defaultSensitiveTerms)).toEqual([]);
  });
});
