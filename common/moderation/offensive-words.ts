/**
 * Offensive vocabulary, Swedish and English. Deliberately moderate: common insults, slurs and swear words a contact
 * centre actually sees, not an exhaustive list. The city's configuration may replace or extend it.
 *
 * - `stem`: lower case; matched after undoing l33t, spacing and repeated letters.
 * - `mode`: `word` = the stem plus an inflection ending (idiot, idioten, idioterna, idiotisk);
 *   `prefix` = any word starting with the stem (knulla, knullade); `compound` = anywhere in a word (dumjävel, kukhuvud).
 * - `severity`: 1 mild (alone it does not label), 2 strong, 3 severe (slurs, sexualised abuse).
 * - `fold: false`: do not also match the stem written without å/ä/ö (bög must not match "bogen", a ship's bow).
 *
 * Left out on purpose: "slut" (Swedish for "end"), "fan" (also a fan), "as", "cp" (also a medical term).
 * "hora" and "cunt" are whole words only: "ahora" is Spanish for "now", and Scunthorpe is a town.
 */
export interface OffensiveWord {
  stem: string;
  mode: 'word' | 'prefix' | 'compound';
  severity: 1 | 2 | 3;
  lang: 'sv' | 'en';
  fold?: boolean;
}

export const offensiveWords: readonly OffensiveWord[] = [
  { stem: 'idiot', mode: 'word', severity: 2, lang: 'sv' },
  { stem: 'jävl', mode: 'compound', severity: 2, lang: 'sv' },
  { stem: 'jävel', mode: 'compound', severity: 2, lang: 'sv' },
  { stem: 'helvet', mode: 'word', severity: 1, lang: 'sv' },
  { stem: 'skit', mode: 'prefix', severity: 1, lang: 'sv' },
  { stem: 'skitstövel', mode: 'word', severity: 2, lang: 'sv' },
  { stem: 'korkad', mode: 'word', severity: 1, lang: 'sv' },
  { stem: 'pucko', mode: 'word', severity: 1, lang: 'sv' },
  { stem: 'dumhuvud', mode: 'word', severity: 2, lang: 'sv' },
  { stem: 'äckel', mode: 'word', severity: 1, lang: 'sv' },
  { stem: 'äckl', mode: 'word', severity: 1, lang: 'sv' },
  { stem: 'kärring', mode: 'word', severity: 2, lang: 'sv' },
  { stem: 'subba', mode: 'word', severity: 2, lang: 'sv' },
  { stem: 'fjoll', mode: 'word', severity: 2, lang: 'sv' },
  { stem: 'bög', mode: 'word', severity: 2, lang: 'sv', fold: false },
  { stem: 'hora', mode: 'word', severity: 3, lang: 'sv' },
  { stem: 'horor', mode: 'word', severity: 3, lang: 'sv' },
  { stem: 'horunge', mode: 'compound', severity: 3, lang: 'sv' },
  { stem: 'luder', mode: 'word', severity: 3, lang: 'sv' },
  { stem: 'fitta', mode: 'compound', severity: 3, lang: 'sv' },
  { stem: 'kuk', mode: 'compound', severity: 3, lang: 'sv' },
  { stem: 'knull', mode: 'prefix', severity: 2, lang: 'sv' },
  { stem: 'mongo', mode: 'word', severity: 3, lang: 'sv' },
  { stem: 'neger', mode: 'compound', severity: 3, lang: 'sv' },
  { stem: 'blatte', mode: 'word', severity: 3, lang: 'sv' },
  { stem: 'blatt', mode: 'word', severity: 3, lang: 'sv' },
  { stem: 'svartskalle', mode: 'compound', severity: 3, lang: 'sv' },
  { stem: 'svartskall', mode: 'compound', severity: 3, lang: 'sv' },
  { stem: 'fuck', mode: 'compound', severity: 2, lang: 'en' },
  { stem: 'shit', mode: 'word', severity: 1, lang: 'en' },
  { stem: 'bitch', mode: 'prefix', severity: 2, lang: 'en' },
  { stem: 'bastard', mode: 'word', severity: 2, lang: 'en' },
  { stem: 'asshole', mode: 'compound', severity: 2, lang: 'en' },
  { stem: 'dumbass', mode: 'word', severity: 2, lang: 'en' },
  { stem: 'moron', mode: 'word', severity: 2, lang: 'en' },
  { stem: 'stupid', mode: 'word', severity: 1, lang: 'en' },
  { stem: 'retard', mode: 'word', severity: 3, lang: 'en' },
  { stem: 'whore', mode: 'word', severity: 3, lang: 'en' },
  { stem: 'cunt', mode: 'word', severity: 3, lang: 'en' },
];

/** Inflection endings a `word` stem may carry (Swedish nouns, adjectives, verbs; a few English ones). */
export const inflectionSuffixes: readonly string[] = [
  '', 'n', 'en', 'et', 'na', 'ns', 'ens', 'ets', 'ar', 'arna', 'arnas', 'er', 'erna', 'ernas', 'or', 'orna', 'a',
  'ade', 'at', 'ande', 'e', 'es', 's', 'ig', 'iga', 'igt', 'isk', 'iska', 'iskt', 'y', 'ing', 'ed', 'ic', 'ish',
];
