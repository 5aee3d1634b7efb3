/**
 * Text as XML 1.0 character data or attribute value: markup escaped, and the characters XML 1.0 cannot carry at all
 * (control characters other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD. The JSON
 * content file beside the XML keeps the exact text; the XML is the readable, schema-checked description.
 */
export function xmlText(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/\r/g, '&#13;')
  );
}

/** `<name>value</name>`, or nothing for null/undefined (optional elements in the schemas). */
export function el(name: string, value: string | number | boolean | null | undefined, indent = '    '): string {
  if (value === null || value === undefined) return '';
  return `${indent}<${name}>${xmlText(String(value))}</${name}>\n`;
}
