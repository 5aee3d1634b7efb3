import { describe, expect, it } from 'vitest';
import { addUtmParams } from '../../common/utm';

describe('addUtmParams', () => {
  const utm = { source: 'facebook', medium: 'social', campaign: 'nyhet' };

  it('leaves text untouched when the channel has no UTM config', () => {
    expect(addUtmParams('Läs mer: https://helsingborg.se/a', undefined)).toBe('Läs mer: https://helsingborg.se/a');
  });

  it('keeps existing query params and the fragment, and sentence punctuation outside the link', () => {
    expect(addUtmParams('Se https://helsingborg.se/a?x=1#del2.', utm)).toBe(
      'Se https://helsingborg.se/a?x=1&utm_source=facebook&utm_medium=social&utm_campaign=nyhet#del2.',
    );
  });

  it('does not overwrite a utm parameter the author already set', () => {
    expect(addUtmParams('https://helsingborg.se/?utm_source=egen', utm)).toBe(
      'https://helsingborg.se/?utm_source=egen&utm_medium=social&utm_campaign=nyhet',
    );
  });
});
