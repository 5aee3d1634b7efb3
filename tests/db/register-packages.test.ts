import { createHash, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import yauzl from 'yauzl';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { postMedia, posts, publicRecords } from '../../db/schema';
import { contentHash, decideDestruction, setRetentionClass } from '../../db/register';
import { MASKED } from '../../db/register/mask';
import { earkPaths, writeEarkPackage, writePostBundle, NoRecordsError } from '../../db/register/export';
import { metsProfileXsd, registerXsd } from '../../db/register/export/package-parts';

let t: TestDatabase;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const image = Buffer.from('\x89PNG\r\n\x1a\n en liten testbild', 'binary');

async function append(values: Partial<typeof publicRecords.$inferInsert> & { text: string }) {
  const { text, ...rest } = values;
  const content = (rest.content as Record<string, unknown> | undefined) ?? { text };
  const [row] = await t.db
    .insert(publicRecords)
    .values({ kind: 'inbound_comment', direction: 'incoming', counterparty: 'Anna A', summary: text.slice(0, 60), ...rest, content, contentSha256: contentHash(content) })
    .returning();
  return row!;
}

/** Collects what a writer streams, then reads it back with a real unzip library. */
async function unzip(write: (out: PassThrough) => Promise<unknown>): Promise<Map<string, Buffer>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  out.end();
  const zipped = Buffer.concat(chunks);
  const files = new Map<string, Buffer>();
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(zipped, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(parts));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return files;
}

async function expectValid(xml: Buffer, xsd: Buffer, name: string) {
  const result = await validateXML({ xml: [{ fileName: name, contents: xml.toString('utf8') }], schema: [{ fileName: 'schema.xsd', contents: xsd.toString('utf8') }] });
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

/** Every line of a manifest matches the file it names, and every file but the manifest is listed. */
function expectManifest(files: Map<string, Buffer>, manifestPath: string, prefix = '') {
  const lines = files.get(manifestPath)!.toString('utf8').trim().split('\n');
  const listed = new Map(lines.map((l) => [l.slice(66), l.slice(0, 64)]));
  for (const [path, hash] of listed) expect(sha(files.get(prefix + path)!), path).toBe(hash);
  expect([...listed.keys()].map((p) => prefix + p).sort()).toEqual([...files.keys()].filter((p) => p !== manifestPath).sort());
}

let postId: string;
let postRecord: Awaited<ReturnType<typeof append>>;

beforeAll(async () => {
  t = await createTestDatabase();
  const [post] = await t.db.insert(posts).values({ text: 'Badplatsen öppnar', scheduledAt: new Date() }).returning();
  postId = post!.id;
  await t.db.insert(postMedia).values({ postId, kind: 'image', filename: 'bad & "strand".png', mimeType: 'image/png', sizeBytes: image.length, sha256: sha(image), data: image });
  postRecord = await append({
    text: 'Badplatsen öppnar',
    kind: 'outgoing_post',
    direction: 'outgoing',
    counterparty: 'Helsingborgs stad (X)',
    postId,
    platform: 'x',
    externalId: '1800',
    permalink: 'https://x.example/status/1800',
    content: { text: 'Badplatsen öppnar <i> & "välkommen"\u0001', media: [{ filename: 'bad & "strand".png', mimeType: 'image/png', sha256: sha(image), sizeBytes: image.length }] },
  });
  const comment = await append({ text: '=1+1 äntligen!', postId, relatedRecordId: postRecord.id });
  await append({ text: 'Mitt personnummer är 19121212-1212', postId, confidential: true, confidentialityRef: 'OSL 21 kap. 1 §', counterparty: 'Bo B' });
  await append({ text: 'Tack för din kommentar', kind: 'outgoing_reply', direction: 'outgoing', counterparty: 'Anna A', relatedRecordId: comment.id });
  await append({ text: 'Dold: personangrepp', kind: 'moderation_event', direction: 'internal', counterparty: 'Moderator', relatedRecordId: comment.id });
  await append({ text: 'Om något annat' });
  // A destroyed record on the post: it stays listed, with its decision, without content.
  await setRetentionClass(t.db, { kind: 'inbound_comment', keepYears: 1, basis: 'DHP 4.2', changedBy: 'Registrator' });
  const old = await append({ text: 'Gammal kommentar', postId, recordDate: new Date('2020-01-01T10:00:00Z') });
  await decideDestruction(t.db, { recordIds: [old.id], basis: 'DHP 4.2', decidedBy: 'Stadsarkivet' });
});
afterAll(async () => {
  await t.destroy();
});

describe('the archival package (E-ARK/FGS style)', () => {
  it('holds METS, register.xml, the records, the media and a manifest; the XML is valid against our schemas', async () => {
    let summary: Awaited<ReturnType<typeof writeEarkPackage>> | undefined;
    const files = await unzip(async (out) => {
      summary = await writeEarkPackage(t.db, {}, out);
    });
    const all = await t.db.select().from(publicRecords);
    expect(summary).toMatchObject({ records: all.length, missingMedia: [] });
    const mediaPath = `${earkPaths.media}/${sha(image)}.png`;
    expect([...files.keys()].sort()).toEqual(
      [earkPaths.mets, earkPaths.register, earkPaths.records, earkPaths.manifest, mediaPath, 'schemas/utrop-register-1.xsd', 'schemas/mets-utrop-profile.xsd'].sort(),
    );
    expect(files.get(mediaPath)).toEqual(image);
    await expectValid(files.get(earkPaths.register)!, registerXsd, 'register.xml');
    await expectValid(files.get(earkPaths.mets)!, metsProfileXsd, 'METS.xml');
    expectManifest(files, earkPaths.manifest);

    const mets = files.get(earkPaths.mets)!.toString('utf8');
    for (const path of [earkPaths.records, mediaPath]) expect(mets).toContain(`CHECKSUM="${sha(files.get(path)!)}" CHECKSUMTYPE="SHA-256">\n        <FLocat LOCTYPE="URL" xlink:type="simple" xlink:href="${path}"/>`);
    expect(mets).toContain(`CHECKSUM="${sha(files.get(earkPaths.register)!)}"`);

    const records = JSON.parse(files.get(earkPaths.records)!.toString('utf8')) as { id: number; content: unknown; counterparty: string }[];
    expect(records.map((r) => r.id)).toEqual(all.map((r) => r.id).sort((a, b) => a - b));
    // The archive keeps confidential records unmasked, and the exact text (control characters included) in JSON.
    expect(records.find((r) => r.counterparty === 'Bo B')).toBeDefined();
    expect(records.find((r) => r.id === postRecord.id)?.content).toEqual(postRecord.content);
    const xml = files.get(earkPaths.register)!.toString('utf8');
    expect(xml).toContain('<text>Badplatsen öppnar &lt;i&gt; &amp; &quot;välkommen&quot;\uFFFD</text>');
    expect(xml).toMatch(/<destroyed decisionRecordId="\d+" decisionNumber="SOC \d{4}\/\d{6}"\/>/);
  });

  it('takes a date range and validates when empty', async () => {
    const files = await unzip((out) => writeEarkPackage(t.db, { range: { from: new Date('2001-01-01T00:00:00Z'), before: new Date('2001-01-02T00:00:00Z') } }, out));
    await expectValid(files.get(earkPaths.register)!, registerXsd, 'register.xml');
    await expectValid(files.get(earkPaths.mets)!, metsProfileXsd, 'METS.xml');
    expect(JSON.parse(files.get(earkPaths.records)!.toString('utf8'))).toEqual([]);
    expectManifest(files, earkPaths.manifest);
  });

  it('ships the schemas it is validated against, pinned by SHA-256, byte for byte inside the package (ADR 021, 036)', async () => {
    // Our own XSDs (the official METS/xlink schemas are not available offline): a change to either must be deliberate.
    expect(sha(metsProfileXsd)).toBe('4348ab9f727e4ee8d53a36cae45167febdea32d1df3ecaa60b9d1d348acf9693');
    expect(sha(registerXsd)).toBe('b18f8166bb0ab0f2a21998a45ef6cbefe96e92940ebb9b3010911fb559cc0853');
    const files = await unzip((out) => writeEarkPackage(t.db, {}, out));
    expect(files.get('schemas/mets-utrop-profile.xsd')).toEqual(metsProfileXsd);
    expect(files.get('schemas/utrop-register-1.xsd')).toEqual(registerXsd);
  });

  it('is refused by the schema when a field is wrong (the test would notice a broken generator)', async () => {
    const files = await unzip((out) => writeEarkPackage(t.db, {}, out));
    const broken = files.get(earkPaths.register)!.toString('utf8').replace(/<kind>outgoing_post<\/kind>/, '<kind>tweet</kind>');
    const result = await validateXML({ xml: [{ fileName: 'register.xml', contents: broken }], schema: [{ fileName: 'schema.xsd', contents: registerXsd.toString('utf8') }] });
    expect(result.valid).toBe(false);
  });
});

describe('the records-request bundle for one post', () => {
  it('holds the post, its comments, replies, moderation events and media, masked, with a manifest', async () => {
    let summary: Awaited<ReturnType<typeof writePostBundle>> | undefined;
    const files = await unzip(async (out) => {
      summary = await writePostBundle(t.db, postId, out);
    });
    const dir = `post-${postId}/`;
    expectManifest(files, `${dir}manifest-sha256.txt`, dir);
    expect(files.get(`${dir}media/${sha(image)}.png`)).toEqual(image);
    await expectValid(files.get(`${dir}register.xml`)!, registerXsd, 'register.xml');
    const records = JSON.parse(files.get(`${dir}records.json`)!.toString('utf8')) as { kind: string; summary: string; masked: boolean; confidentialityRef: string | null; content: Record<string, unknown> }[];
    expect(summary?.records).toBe(records.length);
    expect(records.map((r) => r.kind)).toEqual(['outgoing_post', 'inbound_comment', 'inbound_comment', 'outgoing_reply', 'moderation_event', 'inbound_comment']);
    expect(records.map((r) => r.summary)).not.toContain('Om något annat');
    expect(records[2]).toMatchObject({ masked: true, summary: MASKED, confidentialityRef: 'OSL 21 kap. 1 §' });
    expect(records[5]?.content).toMatchObject({ destroyed: true });
    for (const f of files.values()) expect(f.toString('utf8')).not.toContain('19121212');
    const csv = files.get(`${dir}records.csv`)!.toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(`'=1+1`);
    expect(files.get(`${dir}LASMIG.txt`)!.toString('utf8')).toContain('sha256sum -c manifest-sha256.txt');
  });

  it('shows the registrar confidential fields when allowed, and refuses a post without records', async () => {
    const files = await unzip((out) => writePostBundle(t.db, postId, out, { mayViewConfidential: true }));
    expect(files.get(`post-${postId}/records.json`)!.toString('utf8')).toContain('19121212');
    await expect(writePostBundle(t.db, randomUUID(), new PassThrough())).rejects.toBeInstanceOf(NoRecordsError);
  });
});
