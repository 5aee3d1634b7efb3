/** `npx utrop cap validate FILE` and `npx utrop cap export MESSAGE_ID`, as a person runs them (a real process). */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../pipeline/harness';
import { openIncident, publishMessage } from '../../app/models/crisis.server';
import { capSchema } from '../../app/cli/cap';

const root = path.resolve(import.meta.dirname, '..', '..');
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function utrop(args: string[]) {
  return spawnSync(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: h.t.url } });
}

describe('npx utrop cap', () => {
  it('exports a message as CAP that validates (exit 0); a broken alert lists its schema errors (exit 1)', async () => {
    const { incident } = await openIncident(h.t.db, { title: 'Strömavbrott', area: 'Maria', severity: 'moderate', languages: ['sv', 'en'] }, { userId: null, label: 'test' });
    const m = await publishMessage(
      h.t.db,
      { incidentId: incident.id, templateKey: 'power_outage', variables: { area: 'Maria', time: 'kl. 06', readMore: 'https://helsingborg.se/' }, channelIds: [h.channel('x-helsingborg').id] },
      { userId: null, label: 'test' },
    );
    const exported = utrop(['cap', 'export', m.message.id]);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain(`<identifier>${m.message.capIdentifier}</identifier>`);
    const dir = mkdtempSync(path.join(tmpdir(), 'utrop-cap-'));
    const good = path.join(dir, 'alert.xml');
    writeFileSync(good, exported.stdout);
    const ok = utrop(['cap', 'validate', good]);
    expect(ok.status).toBe(0);
    const bad = path.join(dir, 'bad.xml');
    writeFileSync(bad, exported.stdout.replace('<msgType>Alert</msgType>', '<msgType>Panic</msgType>'));
    const refused = utrop(['cap', 'validate', bad]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('msgType');
    expect(refused.stderr).toMatch(/not valid CAP 1\.2 \(\d+ errors?\)/);
    // Text that is not XML at all is refused the same way: the parser's error on stdout, the refusal on stderr.
    const prose = path.join(dir, 'text.txt');
    writeFileSync(prose, 'Vägarbete på Drottninggatan i morgon.');
    const notXml = utrop(['cap', 'validate', prose]);
    expect(notXml.status).toBe(1);
    expect(notXml.stdout).toContain('parser error');
    expect(notXml.stderr).toMatch(/not valid CAP 1\.2/);
  }, 240_000);

  it('ships the OASIS schema unchanged', () => {
    // SHA-256 of CAP-v1.2.xsd as OASIS publishes it (the copy in ../shared/reference/cap/ has the same bytes).
    expect(createHash('sha256').update(capSchema(), 'utf8').digest('hex')).toBe('b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723');
  });

  it('refuses bad arguments with one line and exit 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'utrop-cap-'));
    const latin1 = path.join(dir, 'latin1.xml');
    writeFileSync(latin1, Buffer.from([0x3c, 0x61, 0xe5, 0x3e]));
    const cases = [
      ['cap', 'export', "1' or '1'='1"],
      ['cap', 'validate', path.join(dir, 'finns-inte.xml')],
      ['cap', 'validate', latin1],
    ];
    for (const args of cases) {
      const r = utrop(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const missing = utrop(['cap', 'export', '00000000-0000-0000-0000-000000000000']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no crisis message');
  }, 240_000);
});
