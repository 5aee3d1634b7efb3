import { describe, expect, it } from 'vitest';
import { classifyComment, similarity, type CommentInput } from '../../common/moderation';

const now = new Date('2026-12-02T12:00:00Z');
const labelsOf = (text: string, recent: CommentInput[] = [], author = 'kalle') =>
  classifyComment({ text, author, at: now }, { now, recent }).labels;
const names = (text: string, recent: CommentInput[] = [], author?: string) => labelsOf(text, recent, author).map((l) => l.label);

describe('classifyComment', () => {
  it('suggests offensive for inflected and obfuscated words, with the rule and the words', () => {
    for (const text of ['Du är en idiot', 'idioterna på kommunen', 'Du är en 1d10t', 'i d i o t', 'IDIOOOOOT!!', 'j4vla h0ra', 'jävlarna']) {
      const off = labelsOf(text).find((l) => l.label === 'offensive');
      expect(off, text).toBeDefined();
      expect(off!.rule).toMatch(/^offensive\./);
      expect(off!.explanation).toMatch(/Kränkande ord/);
    }
    expect(labelsOf('j4vla h0ra').find((l) => l.label === 'offensive')!.score).toBeGreaterThan(0.9);
  });

  it('does not call harmless words offensive', () => {
    for (const text of ['Slut på biljetter till konserten', 'Scunthorpe United', 'Båten har en skada i bogen', 'Skitbra jobbat!', 'MongoDB-kurs på biblioteket']) {
      expect(names(text), text).not.toContain('offensive');
    }
  });

  it('detects questions, not "Hur" inside a word or an imperative "Var"', () => {
    expect(names('När öppnar Tropikariet?')).toContain('question');
    expect(names('Hur söker jag bygglov för ett plank')).toContain('question');
    expect(names('Var kan jag lämna grovsopor')).toContain('question');
    expect(names('Jag undrar om biblioteket har öppet i jul')).toContain('question');
    expect(names('Hurra för Helsingborg!')).not.toContain('question');
    expect(names('Var försiktig på vägarna idag.')).not.toContain('question');
    expect(names('Läs mer på https://helsingborg.se/sok?q=bad')).not.toContain('question');
  });

  it('suggests advertising and spam from vocabulary and links; one ordinary word is not enough', () => {
    const ad = labelsOf('Köp billiga solglasögon! 50% rabatt och gratis frakt. Beställ nu på www.solbrillor.se');
    expect(ad[0]).toMatchObject({ label: 'advertising' });
    const spam = labelsOf('Tjäna pengar på crypto! Kontakta mig på WhatsApp +46 70 123 45 67 https://bit.ly/3xYz');
    expect(spam.find((l) => l.label === 'spam')!.rules).toEqual(expect.arrayContaining(['spam.link-shortener', 'spam.contact-me:kontakta mig']));
    expect(names('Var kan man köpa parkeringstillstånd?')).not.toContain('advertising');
    expect(names('Staden borde investera mer i cykelbanor.')).not.toContain('spam');
    expect(names('Se https://a.se https://b.se https://c.se')).toContain('spam');
  });

  it('suggests repeated for the same author and for many authors within the window', () => {
    const text = 'Laga gatlyset på Fågelsångsvägen nu!!';
    const same = labelsOf(text, [{ text: 'Laga gatlyset på Fågelsångsvägen nu', author: 'kalle', at: '2026-12-02T09:00:00Z' }]);
    expect(same.find((l) => l.label === 'repeated')!.rule).toBe('repeated.same-author');
    const old = labelsOf(text, [{ text, author: 'kalle', at: '2026-11-20T09:00:00Z' }]);
    expect(old.map((l) => l.label)).not.toContain('repeated');
    const many = labelsOf('Stoppa bygget i Ramlösa nu 😡', [
      { text: 'Stoppa bygget i Ramlösa nu!', author: 'a', at: now },
      { text: 'stoppa bygget i ramlösa nu', author: 'b', at: now },
    ]);
    expect(many.find((l) => l.label === 'repeated')!.rule).toBe('repeated.many-authors');
    expect(names('Tack!', [{ text: 'Tack!', author: 'kalle', at: now }])).not.toContain('repeated');
    expect(names('Helt annan fråga om skolskjutsen', [{ text, author: 'kalle', at: now }])).not.toContain('repeated');
    expect(similarity('Laga gatlyset', 'Laga gatlyset!')).toBe(1);
  });

  it('flags repeated promotional links from other comments', () => {
    const recent = [
      { text: 'Bästa jobbet https://jobb-hemma.example.com/ref', author: 'x', at: now },
      { text: 'Kolla https://jobb-hemma.example.com/ref', author: 'y', at: now },
    ];
    expect(labelsOf('Se https://jobb-hemma.example.com/ref', recent).find((l) => l.label === 'spam')!.rule).toBe('spam.repeated-link');
  });

  it('suggests personal_data and confidential from the screening, without echoing the number', () => {
    const pd = labelsOf('Mitt personnummer är 811228-9874, varför har ni inte svarat?');
    const p = pd.find((l) => l.label === 'personal_data')!;
    expect(p.rule).toBe('screening.personnummer.10-digit.dash');
    expect(p.explanation).not.toContain('811228');
    expect(p.evidence[0]).toMatchObject({ start: 21, end: 32 });
    expect(names('Min granne Anna Svensson har fått diagnosen demens')).toContain('confidential');
  });

  it('suggests irrelevant only from a configured rule, and nothing for empty text', () => {
    const text = 'Vem vinner Melodifestivalen i år';
    expect(names(text)).not.toContain('irrelevant');
    const labels = classifyComment({ text }, { now, options: { irrelevantRules: [{ id: 'tv', terms: ['melodifestival'] }] } }).labels;
    expect(labels.find((l) => l.label === 'irrelevant')).toMatchObject({ rule: 'irrelevant.rule:tv' });
    expect(classifyComment({ text: '   ' }).labels).toEqual([]);
  });
});
