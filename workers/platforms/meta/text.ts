/** Text measures shared by the Meta limit checks and simulators. Pure: imported by the browser too. */

/** Meta counts characters, not UTF-16 units; an emoji outside the BMP is one character. */
export function countCharacters(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export function formatMegabytes(bytes: number, locale: 'sv' | 'en'): string {
  return new Intl.NumberFormat(locale === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024));
}

/** Normalises text for exact-match reconciliation: platforms may turn CRLF into LF and trim the ends. */
export function normalizeForMatch(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim().normalize('NFC');
}
