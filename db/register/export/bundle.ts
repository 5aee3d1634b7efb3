import type { Writable } from 'node:stream';
import type { DbOrTx } from '../../client';
import { maskRecord, type ReleasedRecord } from '../mask';
import { cityIso } from './columns';
import { writeCsv } from './csv';
import { writeJson } from './json';
import { addMediaFiles, registerXsd, writeRegisterXml, type MediaRef } from './package-parts';
import { postRecords } from './query';
import { manifestText, StreamingZip } from './zip';

/** A post without records: nothing to hand out. */
export class NoRecordsError extends Error {
  override name = 'ExportError';
}

const readme = (postId: string, n: number, created: Date, masked: boolean) => `Utlämnande av allmänna handlingar / Records request
Inlägg / post: ${postId}
Skapad / created: ${cityIso(created)}
Poster / records: ${n}

records.json   alla poster om inlägget: inlägget, kommentarer, svar, modereringshändelser (JSON)
records.csv    samma poster som tabell (UTF-8, öppnas i Excel)
register.xml   samma poster som XML (schema: utrop-register-1.xsd)
media/         bilder och filmer som publicerades, namngivna efter sin SHA-256
manifest-sha256.txt  SHA-256 för varje fil; kontrollera med: sha256sum -c manifest-sha256.txt
${masked ? '\nUppgifter som omfattas av sekretess är maskerade ([Sekretess]); lagrummet står kvar.\nConfidential fields are masked; the legal reference is kept.\n' : ''}
Varje post bär sin hash (record_sha256) i registrets hashkedja: den visar att posten inte ändrats.
`;

/**
 * The records-request bundle for one post (zip): the post's record and every record on it (comments, replies,
 * moderation events, edits), the media sent, a README, and a SHA-256 manifest. Confidential fields are masked unless
 * the reader may see them (issue 9: a bundle is what is handed out).
 */
export async function writePostBundle(
  db: DbOrTx,
  postId: string,
  out: Writable,
  options: { mayViewConfidential?: boolean; now?: Date } = {},
): Promise<{ records: number; files: number; missingMedia: string[] }> {
  const created = options.now ?? new Date();
  const records = await postRecords(db, postId);
  if (records.length === 0) throw new NoRecordsError(`no records for post ${postId}`);
  const mask = !options.mayViewConfidential;
  const released: ReleasedRecord[] = records.map((r) => maskRecord(r, { mayViewConfidential: !mask }));
  const dir = `post-${postId}`;
  const zip = new StreamingZip(out, created);
  const media = new Map<string, MediaRef>();
  zip.addBuffer(`${dir}/LASMIG.txt`, Buffer.from(readme(postId, records.length, created, mask)));
  zip.addStream(`${dir}/records.json`, (s) => writeJson(released, s));
  zip.addStream(`${dir}/records.csv`, (s) => writeCsv(released, s));
  zip.addStream(`${dir}/register.xml`, (s) => writeRegisterXml(released, s, { created, masked: mask }, 'media', media));
  zip.addBuffer(`${dir}/utrop-register-1.xsd`, registerXsd);
  await zip.settled();
  const missingMedia = await addMediaFiles(db, zip, media, `${dir}/media`);
  // Paths in the manifest are relative to the bundle's folder, so `sha256sum -c` runs inside it.
  const entries = zip.entries.map((e) => ({ ...e, path: e.path.slice(dir.length + 1) }));
  zip.addBuffer(`${dir}/manifest-sha256.txt`, Buffer.from(manifestText(entries)), { listed: false });
  const files = zip.entries.length + 1;
  await zip.finish();
  return { records: records.length, files, missingMedia };
}
