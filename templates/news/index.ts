/** The news template (nyhet): headline, summary and link, with the city's sign-off and hashtags (templates/posts.ts). */
import { commonVariables, fitX, paragraphs, tagLine, type CommonVariables, type PostTemplate } from '../posts';

export const newsTemplate: PostTemplate<CommonVariables> = {
  key: 'nyhet',
  kind: 'nyhet',
  name: { sv: 'Nyhet', en: 'News' },
  fields: ['headline', 'summary', 'url', 'signOff', 'hashtags'],
  variables: commonVariables,
  render(platform, v) {
    const tags = tagLine(v);
    switch (platform) {
      case 'x':
        // The link goes on its own paragraph (composeXText); the summary is the first thing left out when too long.
        return { text: fitX([paragraphs(v.headline, v.summary, tags), paragraphs(v.headline, tags), v.headline], v.url), title: null };
      case 'facebook':
        return { text: paragraphs(v.headline, v.summary, v.signOff, tags), title: null };
      case 'instagram':
        return { text: paragraphs(v.headline, v.summary, v.signOff, tags), title: null };
      case 'youtube':
        return { text: paragraphs(v.summary, v.signOff, tags), title: v.headline.slice(0, 100) };
    }
  },
};
