/**
 * The post templates (issue 10) and the previews' text handling (ADR 038), as pure functions: typed variables,
 * one version per platform, X within its weighted length by the worker's own limit check; twitter-text's entities
 * for X, plain addresses on Instagram.
 */
import { describe, expect, it } from 'vitest';
import { newsTemplate } from '../../templates/news/index';
import { pressReleaseTemplate } from '../../templates/press-release/index';
import { checkLimitsFor, previewTextFor } from '../../workers/platforms/limits';
import { tokenize } from '../../app/components/previews';
import { applyTemplate, templateDefaults, templateForm } from '../../app/models/post-templates.server';

const news = { headline: 'Nytt bibliotek', summary: 'Stadsbiblioteket öppnar i maj.', url: 'https://helsingborg.se/bibliotek', signOff: 'Helsingborgs stad', hashtags: '#helsingborg bibliotek' };

describe('post templates', () => {
  it('parses the variables: hashtags get their #, a blank sign-off is none', () => {
    const v = newsTemplate.variables.parse({ ...news, signOff: '  ' });
    expect(v.hashtags).toEqual(['#helsingborg', '#bibliotek']);
    expect(v.signOff).toBeUndefined();
    expect(newsTemplate.render('facebook', v).text).toBe('Nytt bibliotek\n\nStadsbiblioteket öppnar i maj.\n\n#helsingborg #bibliotek');
  });

  it('renders one version per platform; YouTube gets the headline as its title', () => {
    const v = newsTemplate.variables.parse(news);
    expect(newsTemplate.render('x', v).text).toBe('Nytt bibliotek\n\nStadsbiblioteket öppnar i maj.\n\n#helsingborg #bibliotek');
    expect(newsTemplate.render('instagram', v).text).toContain('Helsingborgs stad');
    expect(newsTemplate.render('youtube', v)).toEqual({ text: 'Stadsbiblioteket öppnar i maj.\n\nHelsingborgs stad\n\n#helsingborg #bibliotek', title: 'Nytt bibliotek' });
  });

  it('fits X with the worker’s own weighted length: the summary goes first when it is too long', () => {
    const v = newsTemplate.variables.parse({ ...news, summary: 'Läs om allt som händer. '.repeat(20).trim() });
    const x = newsTemplate.render('x', v).text;
    expect(x).toBe('Nytt bibliotek\n\n#helsingborg #bibliotek');
    expect(checkLimitsFor('x', { text: x, link: v.url, media: [] }).ok).toBe(true);
  });

  it('press release: contact and date; impossible dates and missing contacts refused', () => {
    const v = pressReleaseTemplate.variables.parse({ ...news, contactName: 'Anna A', contactPhone: '042-10 50 00', date: '2028-02-29' });
    expect(pressReleaseTemplate.render('facebook', v).text).toContain('Presskontakt: Anna A, 042-10 50 00');
    expect(pressReleaseTemplate.render('facebook', v).text).toContain('Datum: 2028-02-29');
    for (const date of ['2026-02-30', '2026-13-01', '1999-01-01', '31/12/2026']) {
      expect(pressReleaseTemplate.variables.safeParse({ ...news, contactName: 'A', contactPhone: '1', date }).success, date).toBe(false);
    }
    expect(pressReleaseTemplate.variables.safeParse(news).success).toBe(false);
  });

  it('the city’s defaults come from configuration and prefill the form', () => {
    expect(templateDefaults()).toEqual({ signOff: 'Helsingborgs stad', hashtags: ['#helsingborg'] });
    expect(templateForm('nyhet').defaults).toEqual({ signOff: 'Helsingborgs stad', hashtags: '#helsingborg' });
  });

  it('applyTemplate: the Facebook version is the base; channels with the same text inherit it', () => {
    const r = applyTemplate('nyhet', news, [
      { id: 'fb', platform: 'facebook' },
      { id: 'x', platform: 'x' },
      { id: 'yt', platform: 'youtube' },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.prefill.link).toBe(news.url);
    expect(r.prefill.variants.find((v) => v.channelId === 'fb')!.text).toBe('');
    expect(r.prefill.variants.find((v) => v.channelId === 'x')!.text).not.toBe('');
    expect(r.prefill.title).toBe('Nytt bibliotek');
    const bad = applyTemplate('nyhet', { ...news, url: 'javascript:alert(1)', hashtags: '<b>' }, []);
    expect(bad.ok === false && Object.keys(bad.fieldErrors).sort()).toEqual(['hashtags', 'url']);
  });
});

describe('preview text handling', () => {
  const text = 'Läs mer på https://helsingborg.se/nyheter/en-lang-adress #hbg @stad';

  it('X: twitter-text entities, links shown as X shortens them', () => {
    const tokens = tokenize('x', text).filter((t) => t.kind !== 'text');
    expect(tokens).toEqual([
      { kind: 'url', text: 'https://helsingborg.se/nyheter/en-lang-adress', display: 'helsingborg.se/nyheter/en…' },
      { kind: 'hashtag', text: '#hbg' },
      { kind: 'mention', text: '@stad' },
    ]);
  });

  it('Instagram: the address is plain text, hashtags and mentions are links', () => {
    expect(tokenize('instagram', text).filter((t) => t.kind !== 'text').map((t) => t.kind)).toEqual(['hashtag', 'mention']);
  });

  it('Facebook: links and hashtags; the text joins back to what was written', () => {
    const tokens = tokenize('facebook', text);
    expect(tokens.filter((t) => t.kind !== 'text').map((t) => t.kind)).toEqual(['url', 'hashtag']);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
  });

  it('previewTextFor: the adapters’ own composition (X link on its own paragraph; card only without media)', () => {
    expect(previewTextFor('x', { text: 'Hej', link: 'https://helsingborg.se/', media: [] })).toEqual({ text: 'Hej\n\nhttps://helsingborg.se/', cardLink: 'https://helsingborg.se/', title: null });
    expect(previewTextFor('x', { text: 'Hej', link: 'https://helsingborg.se/', media: [{ kind: 'image', mimeType: 'image/jpeg', sizeBytes: 1 }] }).cardLink).toBeNull();
    expect(previewTextFor('facebook', { text: 'Hej', link: 'https://helsingborg.se/', media: [] })).toEqual({ text: 'Hej', cardLink: 'https://helsingborg.se/', title: null });
    expect(previewTextFor('facebook', { text: 'Hej', link: 'https://helsingborg.se/', media: [{ kind: 'image', mimeType: 'image/jpeg', sizeBytes: 1 }] }).text).toBe('Hej\n\nhttps://helsingborg.se/');
  });
});
