/**
 * Default word lists for the screening detectors. The city's configuration replaces or extends them
 * (ScreeningOptions); the term syntax is described in ./terms.ts.
 */

/** Health, social-services and offence words that, next to a name, may be secret (OSL 25:1, 26:1; GDPR art. 9, 10). */
export const defaultSensitiveTerms: readonly string[] = Object.freeze([
  'diagnos',
  '*missbruk',
  '*socialtjänst',
  '=soc',
  'LVU',
  'LVM',
  'LSS',
  'BUP',
  '*orosanmäl',
  '*sjukskriv',
  'psykisk ohälsa',
  'psykiskt sjuk',
  '*psykiatri',
  'depression',
  'deprimerad',
  'cancer',
  'demens',
  '=dement',
  'autism',
  'ADHD',
  'HIV',
  'missfall',
  'abort',
  'familjehem',
  'behandlingshem',
  'placerad',
  'omhändertag',
  'försörjningsstöd',
  'ekonomiskt bistånd',
  'skyddat boende',
  'skyddad identitet',
  'alkoholist',
  'narkoman',
  'dömd',
  'misstänkt',
  'åtalad',
  'anhållen',
  'häktad',
  'självmord',
  'suicid',
]);

/** Street name endings; a word ending in one of them followed by a house number is a street address. */
export const defaultStreetSuffixes: readonly string[] = Object.freeze([
  'gatan',
  'gata',
  'vägen',
  'väg',
  'gränd',
  'gränden',
  'torget',
  'torg',
  'allén',
  'allé',
  'stigen',
  'backen',
  'platsen',
  'plan',
  'leden',
  'stråket',
  'esplanaden',
  'promenaden',
]);

/**
 * Capitalised words that start sentences or name places and organisations: a pair made of them is not a person.
 * Lower case; compared case-insensitively.
 */
export const defaultNameStopwords: readonly string[] = Object.freeze([
  'hej', 'hejsan', 'hallå', 'tack', 'idag', 'igår', 'imorgon', 'i', 'vi', 'ni', 'de', 'dem', 'den', 'det', 'detta',
  'denna', 'dessa', 'här', 'där', 'nu', 'på', 'om', 'när', 'var', 'vad', 'hur', 'varför', 'vem', 'vilken', 'och',
  'men', 'så', 'kom', 'ring', 'läs', 'se', 'mer', 'välkommen', 'välkomna', 'grattis', 'god', 'glad', 'trevlig',
  'jag', 'du', 'han', 'hon', 'min', 'mitt', 'mina', 'vår', 'vårt', 'våra', 'er', 'ert', 'era', 'alla', 'från',
  'till', 'med', 'för', 'efter', 'under', 'över', 'vid', 'mellan', 'enligt', 'kl', 'obs', 'info', 'viktigt',
  'meddelande', 'uppdatering', 'nytt', 'ny', 'nya', 'gamla', 'stora', 'lilla', 'norra', 'södra', 'östra', 'västra',
  'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag', 'januari', 'februari', 'mars', 'april',
  'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december', 'helsingborg', 'helsingborgs',
  'stad', 'staden', 'kommun', 'kommunen', 'sverige', 'sveriges', 'skåne', 'region', 'regionen', 'polisen',
  'räddningstjänsten', 'kontaktcenter', 'vma', 'hi', 'hello', 'dear', 'the', 'please', 'thanks', 'welcome',
]);
