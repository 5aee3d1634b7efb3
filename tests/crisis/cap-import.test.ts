/**
 * CAP 1.2 import (issue 11): `npx utrop cap import FILE --json` as a person runs it (a real process), the same reading
 * behind the web upload, and hostile files — each refused with exit 2 and one line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAP_MAX_BYTES, CapImportError, draftFromCapFile } from '../../app/models/cap.server';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const boilWater = readFileSync(fixture('cap_boil_water_helsingborg.xml'), 'utf8');

function utrop(args: string[]) {
  return spawnSync(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, encoding: 'utf8' });
}

describe('npx utrop cap import FILE --json', () => {
  it('prints exactly the draft: msgType, headline, description, instruction, area, languages', () => {
    const r = utrop(['cap', 'import', fixture('cap_boil_water_helsingborg.xml'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      msgType: 'alert',
      headline: 'Koka dricksvattnet i Ödåkra',
      description: 'Prover visar bakterier i dricksvattnet i Ödåkra & Kattarp.',
      instruction: 'Koka vattnet i minst en minut innan du dricker det eller lagar mat med det.',
      area: 'Ödåkra',
      languages: ['sv', 'en'],
    });
    // OASIS's own example: English only, no instruction; Update and Cancel map to our update and all_clear.
    const amber = JSON.parse(utrop(['cap', 'import', fixture('cap_amber_alert_example.xml'), '--json']).stdout);
    expect(amber).toMatchObject({ msgType: 'alert', headline: 'Amber Alert in Los Angeles County', area: 'Los Angeles County', languages: ['en'], instruction: '' });
  }, 120_000);

  it('maps Update to update and Cancel to all_clear; easy Swedish to sv-easy', async () => {
    const update = boilWater.replace('<msgType>Alert</msgType>', '<msgType>Update</msgType>').replace('<language>en-US</language>', '<language>sv-SE-x-lattlast</language>');
    expect((await draftFromCapFile(Buffer.from(update))).draft).toMatchObject({ msgType: 'update', languages: ['sv', 'sv-easy'] });
    const cancel = boilWater.replace('<msgType>Alert</msgType>', '<msgType>Cancel</msgType>');
    expect((await draftFromCapFile(Buffer.from(cancel))).draft.msgType).toBe('all_clear');
  });

  it('refuses hostile files with one line: not XML, XXE, entity expansion, huge, wrong schema, wrong encoding', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><alert>&lol9;</alert>`;
    const cases: [string, string | Buffer, CapImportError['code']][] = [
      ['not XML', 'Koka vattnet!', 'not_xml'],
      ['binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff]), 'encoding'],
      ['XXE', '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>', 'dtd'],
      ['XXE without a declaration', '<!doctype alert SYSTEM "http://127.0.0.1:1/x.dtd"><alert/>', 'dtd'],
      ['billion laughs', laughs, 'dtd'],
      ['huge', `<alert>${'x'.repeat(CAP_MAX_BYTES + 10)}</alert>`, 'too_large'],
      ['wrong schema', '<html><body>Koka vattnet</body></html>', 'schema'],
      ['CAP without required fields', '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>', 'schema'],
      ['Latin-1 bytes', Buffer.from(boilWater, 'latin1'), 'encoding'],
      ['declared ISO-8859-1', boilWater.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'encoding'],
      ['an Ack is not a warning', boilWater.replace('<msgType>Alert</msgType>', '<msgType>Ack</msgType>'), 'not_a_warning'],
      ['empty', '', 'not_xml'],
      ['NUL byte', boilWater.replace('<scope>', '\u0000<scope>'), 'encoding'],
      // Well-formedness beyond the first root is libxml2's to judge, in the schema step.
      ['two roots', `${boilWater}<alert/>`, 'schema'],
    ];
    for (const [label, data, code] of cases) {
      const e = await draftFromCapFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).catch((x: unknown) => x);
      expect(e, label).toBeInstanceOf(CapImportError);
      expect((e as CapImportError).code, label).toBe(code);
    }
  }, 120_000);

  it('the CLI says it in one line with exit 2, for hostile files, odd names and usage mistakes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'utrop-cap-import-'));
    const write = (name: string, data: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, data);
      return file;
    };
    const cases: [string, string[], RegExp][] = [
      ['XXE', [write('xxe.xml', '<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>'), '--json'], /DTD/],
      ['huge', [write('huge.xml', `<alert>${'x'.repeat(CAP_MAX_BYTES + 10)}</alert>`), '--json'], /larger than/],
      ['wrong schema', [write('html.xml', '<html/>'), '--json'], /not a valid CAP 1\.2 alert/],
      ['missing file', [path.join(dir, 'finns inte – ö.xml'), '--json'], /cannot read/],
      ['no --json', [path.join(dir, 'html.xml')], /--json/],
    ];
    for (const [label, args, why] of cases) {
      const r = utrop(['cap', 'import', ...args]);
      expect(r.status, label).toBe(2);
      expect(r.stdout, label).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, `${label}: ${r.stderr}`).toHaveLength(1);
      expect(lines[0], label).toMatch(why);
    }
    // An odd but harmless name is just a name.
    const odd = write('-- ödåkra; rm -rf $HOME .xml', boilWater);
    expect(utrop(['cap', 'import', odd, '--json']).status).toBe(0);
  }, 300_000);

  it('the same checks behind the upload: CapImportError names the reason', async () => {
    await expect(draftFromCapFile(Buffer.from('<!DOCTYPE x><alert/>'))).rejects.toMatchObject({ code: 'dtd' });
    await expect(draftFromCapFile(Buffer.alloc(CAP_MAX_BYTES + 1, 0x20))).rejects.toBeInstanceOf(CapImportError);
    await expect(draftFromCapFile(Buffer.from('<a>'))).rejects.toMatchObject({ code: 'not_xml' });
  });
});
