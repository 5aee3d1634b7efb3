/**
 * Request bodies in parts, for the simulators. multipart/form-data is read by Node's own `Request.formData()`
 * (the core does it once per request, see readForm). Two bodies the platforms take cannot go through it, and this
 * one small reader serves both (ADR 018):
 *  - multipart/related, which googleapis' videos.insert sends (Node parses only multipart/form-data);
 *  - X's media APPEND, whose binary `media` part has no filename: by the form-data rules that is a text field,
 *    so formData() decodes the bytes as UTF-8 and a 6-byte chunk comes back as 16.
 */
export interface RawPart {
  /** The part's header block, as sent. */
  headers: string;
  name: string | null;
  contentType: string | null;
  data: Buffer;
}

/** Every part of a multipart body, binary-safe; null when the body is not multipart or has no boundary. */
export function readRawParts(body: Buffer, contentType: string | undefined): RawPart[] | null {
  const type = contentType ?? '';
  if (!/^multipart\//i.test(type)) return null;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: RawPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return parts;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) return null; // torn: no closing delimiter
    const end = body.subarray(next - 2, next).toString() === '\r\n' ? next - 2 : next;
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      parts.push({
        headers,
        name: /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1] ?? null,
        contentType: /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim() ?? null,
        data: part.subarray(headerEnd + 4),
      });
    }
    pos = next;
  }
  return parts;
}
