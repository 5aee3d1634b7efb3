/**
 * Default vocabularies for the comment classifier (term syntax: common/screening/terms.ts). Each term carries a
 * weight; the weights of distinct hits add up, so one ordinary word ("köp") never labels a comment on its own.
 */
export interface WeightedTerm {
  term: string;
  weight: number;
}

/** Company advertising. */
export const defaultAdvertisingTerms: readonly WeightedTerm[] = [
  { term: 'köp', weight: 0.2 },
  { term: 'rabatt', weight: 0.35 },
  { term: '*rabattkod', weight: 0.5 },
  { term: 'kampanjkod', weight: 0.5 },
  { term: '=rea', weight: 0.3 },
  { term: 'beställ nu', weight: 0.5 },
  { term: 'gratis frakt', weight: 0.5 },
  { term: 'fri frakt', weight: 0.5 },
  { term: 'erbjudande', weight: 0.3 },
  { term: 'prova gratis', weight: 0.4 },
  { term: 'bästa pris', weight: 0.4 },
  { term: 'lägsta pris', weight: 0.4 },
  { term: 'billig', weight: 0.25 },
  { term: '*webbshop', weight: 0.4 },
  { term: '*webshop', weight: 0.4 },
  { term: '*nätbutik', weight: 0.4 },
  { term: 'vår butik', weight: 0.35 },
  { term: 'besök vår', weight: 0.35 },
  { term: 'buy now', weight: 0.5 },
  { term: 'order now', weight: 0.5 },
  { term: 'shop now', weight: 0.5 },
  { term: 'discount', weight: 0.35 },
  { term: 'free shipping', weight: 0.5 },
  { term: 'limited offer', weight: 0.5 },
  { term: 'promo code', weight: 0.5 },
  { term: '=sale', weight: 0.3 },
];

/** Scams and bulk spam rather than a company's own advertising. */
export const defaultSpamTerms: readonly WeightedTerm[] = [
  { term: 'crypto', weight: 0.4 },
  { term: 'krypto', weight: 0.4 },
  { term: 'bitcoin', weight: 0.4 },
  { term: 'investera', weight: 0.25 },
  { term: 'invest', weight: 0.25 },
  { term: 'tjäna pengar', weight: 0.45 },
  { term: 'passiv inkomst', weight: 0.5 },
  { term: 'earn money', weight: 0.45 },
  { term: 'make money', weight: 0.45 },
  { term: 'jobba hemifrån', weight: 0.4 },
  { term: 'work from home', weight: 0.4 },
  { term: 'forex', weight: 0.45 },
  { term: '*casino', weight: 0.45 },
  { term: 'lån utan uc', weight: 0.6 },
  { term: '*snabblån', weight: 0.45 },
  { term: 'du har vunnit', weight: 0.6 },
  { term: 'you have won', weight: 0.6 },
  { term: 'klicka här', weight: 0.3 },
  { term: 'click here', weight: 0.3 },
  { term: 'onlyfans', weight: 0.5 },
];

/** The writer asks readers to contact them privately: typical of scams and sellers. */
export const defaultContactMeTerms: readonly string[] = [
  'kontakta mig',
  'skriv till mig',
  'hör av dig till mig',
  'hör av er till mig',
  'dm:a mig',
  'dma mig',
  'skicka dm',
  'skicka pm',
  'pm:a mig',
  '=dm me',
  'message me',
  'contact me',
  'inbox me',
  'whatsapp',
  'telegram',
];

export const defaultLinkShorteners: readonly string[] = [
  'bit.ly', 'tinyurl.com', 'goo.gl', 'ow.ly', 'is.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly', 'shorturl.at', 'tiny.cc',
  't.ly', 'rb.gy', 'lnkd.in', 'shorte.st', 'adf.ly',
];

/** Words that open a question at the start of a sentence (lower case; several words allowed). */
export const defaultQuestionOpeners: readonly string[] = [
  'hur', 'när', 'varför', 'vem', 'vems', 'vilken', 'vilket', 'vilka', 'vad', 'vart', 'varifrån', 'hurdan',
  'kan ni', 'kan man', 'kan jag', 'kan någon', 'får man', 'får jag', 'finns det', 'går det', 'ska man', 'ska jag',
  'måste man', 'behöver man', 'är det', 'stämmer det', 'har ni', 'gäller det',
  'how', 'when', 'where', 'why', 'who', 'what', 'which', 'can i', 'can you', 'is there', 'do you', 'are you',
];

/** "var" opens a question only before these words ("Var kan jag …"), not in "Var försiktig". */
export const defaultVarQuestionFollowers: readonly string[] = [
  'kan', 'finns', 'ligger', 'får', 'är', 'hittar', 'ska', 'står', 'köper', 'lämnar', 'det', 'har',
];

/** Phrases that ask something anywhere in a sentence. */
export const defaultQuestionPhrases: readonly string[] = [
  'undrar', 'någon som vet', 'vet ni', 'vet någon', 'skulle vilja veta', 'vill gärna veta', 'i wonder', 'does anyone know',
];
