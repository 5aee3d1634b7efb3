import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { DbOrTx } from '../../client';
import { maskRecord, type ReleasedRecord } from '../mask';
import type { PublicRecord } from '../../schema/register';
import { cityIso } from './columns';
import { writeJson } from './json';
import { addMediaFiles, metsProfileXsd, registerXsd, writeRegisterXml, type MediaRef } from './package-parts';
import { recordsInRange, type RecordRange } from './query';
import { xmlText } from './xml';
import { manifestText, StreamingZip, type ManifestEntry } from './zip';

export const EARK_PROFILE = 'urn:utrop:eark-package:1';

/** Where things go in the package, E-ARK CSIP / FGS Paketstruktur style (ADR 021). */
export const earkPaths = {
  mets: 'METS.xml',
  register: 'metadata/descriptive/register.xml',
  records: 'representations/rep1/data/records.json',
  media: 'representations/rep1/data/media',
  schemas: 'schemas',
  manifest: 'manifest-sha256.txt',
} as const;

async function* released(records: AsyncIterable<PublicRecord>, mask: boolean): AsyncGenerator<ReleasedRecord> {
  for await (const r of records) yield maskRecord(r, { mayViewConfidential: !mask });
}

const mimeOf = (path: string, media: Map<string, MediaRef>): string => {
  if (path.endsWith('.xml') || path.endsWith('.xsd')) return 'application/xml';
  if (path.endsWith('.json')) return 'application/json';
  const sha = /([0-9a-f]{64})\.\w+$/.exec(path)?.[1];
  return (sha && media.get(sha)?.mimeType) || 'application/octet-stream';
};

/** METS.xml: the package's description, every file with its SHA-256 (mets-utrop-profile.xsd). */
export function metsXml(input: { objid: string; label: string; created: Date; organisation: string; entries: ManifestEntry[]; media: Map<string, MediaRef>; notes: string[] }): string {
  const created = cityIso(input.created);
  const dmd = input.entries.find((e) => e.path === earkPaths.register)!;
  const files = input.entries.filter((e) => e.path !== earkPaths.register);
  const groups = [
    { id: 'fg-rep1', use: 'Representations/rep1', files: files.filter((f) => f.path.startsWith('representations/rep1/')) },
    { id: 'fg-schemas', use: 'Schemas', files: files.filter((f) => f.path.startsWith(`${earkPaths.schemas}/`)) },
  ];
  let n = 0;
  const ids = new Map<string, string>();
  for (const g of groups) for (const f of g.files) ids.set(f.path, `file-${++n}`);
  const file = (f: ManifestEntry) =>
    `      <file ID="${ids.get(f.path)}" MIMETYPE="${mimeOf(f.path, input.media)}" SIZE="${f.size}" CREATED="${created}" CHECKSUM="${f.sha256}" CHECKSUMTYPE="SHA-256">\n` +
    `        <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="${xmlText(f.path)}"/>\n      </file>\n`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<mets xmlns="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink" OBJID="${xmlText(input.objid)}" LABEL="${xmlText(input.label)}" TYPE="ERMS" PROFILE="${EARK_PROFILE}">\n` +
    `  <metsHdr CREATEDATE="${created}" RECORDSTATUS="NEW">\n` +
    `    <agent ROLE="CREATOR" TYPE="ORGANIZATION"><name>${xmlText(input.organisation)}</name></agent>\n` +
    `    <agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE"><name>Utrop</name>${input.notes.map((note) => `<note>${xmlText(note)}</note>`).join('')}</agent>\n` +
    `  </metsHdr>\n` +
    `  <dmdSec ID="dmd-register" CREATED="${created}">\n` +
    `    <mdRef LOCTYPE="URL" MDTYPE="OTHER" OTHERMDTYPE="UTROP-REGISTER-1" MIMETYPE="application/xml" SIZE="${dmd.size}" CREATED="${created}" CHECKSUM="${dmd.sha256}" CHECKSUMTYPE="SHA-256" xlink:type="simple" xlink:href="${earkPaths.register}"/>\n` +
    `  </dmdSec>\n  <fileSec>\n` +
    groups.map((g) => `    <fileGrp ID="${g.id}" USE="${g.use}">\n${g.files.map(file).join('')}    </fileGrp>\n`).join('') +
    `  </fileSec>\n` +
    `  <structMap TYPE="PHYSICAL" LABEL="CSIP">\n    <div ID="div-root" LABEL="${xmlText(input.label)}">\n` +
    `      <div LABEL="Metadata" DMDID="dmd-register"/>\n` +
    groups.map((g) => `      <div LABEL="${g.use}">\n${g.files.map((f) => `        <fptr FILEID="${ids.get(f.path)}"/>\n`).join('')}      </div>\n`).join('') +
    `    </div>\n  </structMap>\n</mets>\n`
  );
}

/**
 * The archival package (zip): METS.xml, the register's metadata as XML, the records as JSON content, the media files
 * the records name, the schemas, and a SHA-256 manifest of every other file. Streamed: two passes over the records,
 * each in batches. Unmasked by default: the archive keeps confidential records as they are (ADR 021).
 */
export async function writeEarkPackage(
  db: DbOrTx,
  options: { range?: RecordRange; mask?: boolean; now?: Date; organisation?: string },
  out: Writable,
): Promise<{ records: number; files: number; missingMedia: string[] }> {
  const created = options.now ?? new Date();
  const mask = options.mask ?? false;
  const zip = new StreamingZip(out, created);
  const media = new Map<string, MediaRef>();
  let records = 0;
  zip.addStream(earkPaths.register, async (s) => {
    records = await writeRegisterXml(released(recordsInRange(db, options.range), mask), s, { created, from: options.range?.from, before: options.range?.before, masked: mask }, earkPaths.media, media);
  });
  zip.addStream(earkPaths.records, (s) => writeJson(released(recordsInRange(db, options.range), mask), s));
  zip.addBuffer(`${earkPaths.schemas}/utrop-register-1.xsd`, registerXsd);
  zip.addBuffer(`${earkPaths.schemas}/mets-utrop-profile.xsd`, metsProfileXsd);
  await zip.settled();
  const missingMedia = await addMediaFiles(db, zip, media, earkPaths.media);
  const label = `Utrop register ${options.range?.from ? cityIso(options.range.from).slice(0, 10) : 'start'}–${options.range?.before ? cityIso(new Date(options.range.before.getTime() - 1)).slice(0, 10) : cityIso(created).slice(0, 10)}`;
  const notes = missingMedia.length ? [`Media no longer kept: ${missingMedia.join(', ')}`] : [];
  zip.addBuffer(
    earkPaths.mets,
    Buffer.from(metsXml({ objid: `urn:uuid:${randomUUID()}`, label, created, organisation: options.organisation ?? 'Helsingborgs stad', entries: [...zip.entries], media, notes })),
  );
  zip.addBuffer(earkPaths.manifest, Buffer.from(manifestText(zip.entries)), { listed: false });
  const files = zip.entries.length + 1;
  await zip.finish();
  return { records, files, missingMedia };
}
