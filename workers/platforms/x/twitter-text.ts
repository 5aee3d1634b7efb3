/**
 * twitter-text ships CommonJS whose exports are one default object (and an ESM build with only a default
 * export), so named imports fail under Node's native ESM while bundlers differ in what the namespace holds.
 * Resolve the object once here so every caller gets the same functions in Node, Vitest and the browser.
 */
import * as namespace from 'twitter-text';

type TwitterText = typeof namespace;

const candidate = namespace as TwitterText & { default?: TwitterText };
export const twitterText: TwitterText = candidate.default ?? candidate;
