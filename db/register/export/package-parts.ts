import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../client';
import { postMedia } from '../../schema/publishing';
import { isDestroyedContent } from '../canonical';
import type { ReleasedRecord } from '../mask';
import { cityIso, contentText } from './columns';
import { write, type Records } from './stream';
import { el, xmlText } from './xml';
import type { StreamingZip } from './zip';

export const REGISTER_NS = 'urn:utrop:register:1';
export const registerXsd = readFileSync(new URL('./schema/utrop-register-1.xsd', import.meta.url));
export const metsProfileXsd = readFileSync(new URL('./schema/mets-utrop-profile.xsd', import.meta.url));

export interface MediaRef {
  sha256: string;
  mimeType: string;
  filename: string;
}

/** The media a record's content names (published posts list what was sent, by hash). */
export function mediaRefs(r: Pick<ReleasedRecord, 'content'>): MediaRef[] {
  const media = (r.content as { media?: unknown }).media;
  if (!Array.isArray(media)) return [];
  return media.filter(
    (m): m is MediaRef =>
      !!m && typeof m === 'object' && /^[0-9a-f]{64}$/.test(String((m as MediaRef).sha256)) && typeof (m as MediaRef).mimeType === 'string' && typeof (m as MediaRef).filename === 'string',
  );
}

const extensions: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'video/mp4': 'mp4', 'video/quicktime': 'mov' };

/** A media file's name in a package: its hash (unique, safe on every file system) and an extension from its type. */
export function mediaPath(dir: string, m: Pick<MediaRef, 'sha256' | 'mimeType'>): string {
  return `${dir}/${m.sha256}.${extensions[m.mimeType] ?? 'bin'}`;
}

/** One <record> of register.xml (utrop-register-1.xsd). */
export function recordXml(r: ReleasedRecord, mediaDir: string): string {
  const destroyed = isDestroyedContent(r.content) ? (r.content as { decisionRecordId?: unknown; decisionNumber?: unknown }) : null;
  const text = contentText(r);
  return (
    `  <record id="${r.id}">\n` +
    el('registrationNumber', r.registrationNumber) +
    el('series', r.series) +
    el('year', r.year) +
    el('seq', r.seq) +
    el('registeredAt', cityIso(r.registeredAt)) +
    el('recordDate', cityIso(r.recordDate ?? r.registeredAt)) +
    el('kind', r.kind) +
    el('direction', r.direction) +
    el('counterparty', r.counterparty) +
    el('summary', r.summary) +
    el('confidential', r.confidential) +
    el('confidentialityRef', r.confidentialityRef) +
    el('masked', r.masked) +
    el('exercise', r.exercise) +
    el('channelId', r.channelId) +
    el('platform', r.platform) +
    el('externalId', r.externalId) +
    el('permalink', r.permalink) +
    el('postId', r.postId) +
    el('deliveryId', r.deliveryId) +
    el('relatedRecordId', r.relatedRecordId) +
    (text ? el('text', text) : '') +
    mediaRefs(r)
      .map((m) => `    <media href="${xmlText(mediaPath(mediaDir, m))}" sha256="${m.sha256}" mimeType="${xmlText(m.mimeType)}" filename="${xmlText(m.filename)}"/>\n`)
      .join('') +
    (destroyed
      ? `    <destroyed decisionRecordId="${Number(destroyed.decisionRecordId)}"${typeof destroyed.decisionNumber === 'string' ? ` decisionNumber="${xmlText(destroyed.decisionNumber)}"` : ''}/>\n`
      : '') +
    el('contentSha256', r.contentSha256) +
    el('prevRecordSha256', r.prevRecordSha256) +
    el('recordSha256', r.recordSha256) +
    '  </record>\n'
  );
}

/** register.xml, streamed record by record. Collects the media the records name into `media`. */
export async function writeRegisterXml(
  records: Records<ReleasedRecord>,
  out: Writable,
  header: { created: Date; from?: Date; before?: Date; masked: boolean },
  mediaDir: string,
  media?: Map<string, MediaRef>,
): Promise<number> {
  const attrs = [`created="${cityIso(header.created)}"`, header.from ? `from="${cityIso(header.from)}"` : '', header.before ? `before="${cityIso(header.before)}"` : '', `masked="${header.masked}"`]
    .filter(Boolean)
    .join(' ');
  await write(out, `<?xml version="1.0" encoding="UTF-8"?>\n<register xmlns="${REGISTER_NS}" ${attrs}>\n`);
  let n = 0;
  for await (const r of records) {
    for (const m of mediaRefs(r)) media?.set(m.sha256, m);
    await write(out, recordXml(r, mediaDir));
    n++;
  }
  await write(out, '</register>\n');
  return n;
}

/**
 * Adds the named media files, one at a time (each waits for the one before, so one file is in memory at a time).
 * Returns the hashes no longer kept (the post, and its files, were deleted since).
 */
export async function addMediaFiles(db: DbOrTx, zip: StreamingZip, media: Map<string, MediaRef>, mediaDir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const m of [...media.values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1))) {
    const [file] = await db.select({ data: postMedia.data }).from(postMedia).where(eq(postMedia.sha256, m.sha256)).limit(1);
    if (!file) {
      missing.push(m.sha256);
      continue;
    }
    zip.addStream(mediaPath(mediaDir, m), (out) => write(out, Buffer.from(file.data)));
    await zip.settled();
  }
  return missing;
}
