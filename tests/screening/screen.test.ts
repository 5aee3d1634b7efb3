import { describe, expect, it } from 'vitest';
import { screenText, blocks } from '../../common/screening';

const now = new Date('2026-12-02T12:00:00Z');
const kinds = (text: string) => screenText(text, { now }).map((f) => [f.kind, f.text]);

describe('screenText: personnummer and samordningsnummer', () => {
  it('blocks valid numbers in every common form with UTF-16 offsets', () => {
    const text = '🙂 Ring mig, mitt pnr 811228-9874, 19811228-9874, 8112289874, 811228+9874, 811228 9874';
    const found = screenText(text, { now });
    expect(found.map((f) => f.text)).toEqual(['811228-9874', '19811228-9874', '8112289874', '811228+9874', '811228 9874']);
    expect(found.every((f) => f.kind === 'personnummer' && f.severity === 'block')).toBe(true);
    for (const f of found) expect(text.slice(f.start, f.end)).toBe(f.text);
    expect(found[0]!.start).toBe(text.indexOf('811228-9874'));
    expect(found[0]!.start).toBe(22); // "🙂" is two UTF-16 code units, then 20 more
    expect(found[1]!.rule).toBe('personnummer.12-digit.dash');
    expect(blocks(found)).toBe(true);
  });

  it('finds samordningsnummer (day + 60) and rejects invalid ones', () => {
    expect(kinds('Samordningsnummer 701063-2391 här')).toEqual([['samordningsnummer', '701063-2391']]);
    expect(kinds('Fel kontrollsiffra 701063-2392, dag 93: 701093-2391')).toEqual([]);
  });

  it('does not flag near misses', () => {
    const text =
      'Fel kontrollsiffra 811228-9875. Datum 2026-01-15 och 20260115. Helsingborgs stad 212000-1355, AB 556036-0793. ' +
      'Pris 1 995 kr eller 12 000:-. Faktura 4512398761, ärende 2026/1234, order 123456789012345. Framtid 20301228-9874.';
    expect(kinds(text)).toEqual([]);
  });
});

describe('screenText: phone, email, address and sensitive words', () => {
  it('warns on Swedish phone numbers in national and +46 forms, not on amounts or dates', () => {
    expect(kinds('Ring 070-123 45 67, 042-10 50 00, +46 70 123 45 67 eller +46 (0)42-10 50 00.').map(([k]) => k)).toEqual(['phone', 'phone', 'phone', 'phone']);
    expect(kinds('Kostar 0700000 kr. Möte 05-06 2026. År 2026. 1 995 kr. 12 000:-')).toEqual([]);
    expect(screenText('070-123 45 67', { now }).every((f) => f.severity === 'warning')).toBe(true);
    expect(kinds('Växeln 042-10 50 00')).toHaveLength(1);
    expect(screenText('Växeln 042-10 50 00', { now, allowedPhoneNumbers: ['042-105000'] })).toEqual([]);
  });

  it('warns on email addresses, except allowed domains', () => {
    expect(kinds('Mejla anna.svensson@example.com')).toEqual([['email', 'anna.svensson@example.com']]);
    expect(screenText('kontaktcenter@helsingborg.se', { now, allowedEmailDomains: ['helsingborg.se'] })).toEqual([]);
  });

  it('warns on a street address next to a name, not on an address alone', () => {
    expect(kinds('Anna Svensson, Storgatan 12 har fått fel sopkärl')).toEqual([['address', 'Anna Svensson, Storgatan 12']]);
    expect(kinds('Storgatan 12 är avstängd på grund av vattenläcka.')).toEqual([]);
    expect(kinds('Hej! Storgatan 12 är avstängd. Helsingborgs Stadsbyggnadsförvaltning informerar.')).toEqual([]);
    expect(kinds('Anna Svensson tackar. Storgatan 12 är avstängd.')).toEqual([]);
  });

  it('warns on health and social-services words next to a name', () => {
    const found = screenText('Min granne Karl-Erik Johansson är sjukskriven och socialtjänsten har gjort en orosanmälan', { now });
    expect(found.map((f) => f.text)).toEqual(['sjukskriven', 'socialtjänsten', 'orosanmälan']);
    expect(found.every((f) => f.kind === 'sensitive' && f.severity === 'warning')).toBe(true);
    expect(found[0]!.message).toContain('Karl-Erik Johansson');
    expect(kinds('Socialtjänsten har öppet 8–16 och LVU-utredningar handläggs av nämnden.')).toEqual([]);
  });

  it('takes configured word lists, severities and switches', () => {
    const text = 'Per Olsson har fått beslut om färdtjänst';
    expect(kinds(text)).toEqual([]);
    expect(screenText(text, { now, sensitiveTerms: ['färdtjänst'] }).map((f) => f.rule)).toEqual(['sensitive.near-name:färdtjänst']);
    expect(screenText('070-123 45 67', { now, severity: { phone: 'block' } })[0]!.severity).toBe('block');
    expect(screenText('811228-9874', { now, detectors: { personnummer: false } })).toEqual([]);
    expect(screenText('', { now })).toEqual([]);
  });
});
