import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const utrop = (args: string[], input: string | Buffer = '') =>
  spawnSync(path.join(root, 'app', 'cli', 'bin.js'), args, { cwd: root, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('npx utrop screen / moderate classify', () => {
  it('prints findings with UTF-16 offsets and exits 1 when one blocks', () => {
    const text = 'Hej 🙂 Anna Svensson, Storgatan 12, pnr 811228-9874';
    const r = utrop(['screen'], text);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('utrop screen: 1 finding blocks publication\n');
    const { findings } = JSON.parse(r.stdout) as { findings: { kind: string; start: number; end: number; text: string; severity: string }[] };
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([['address', 'warning'], ['personnummer', 'block']]);
    for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.text);
    const clean = utrop(['screen'], 'Storgatan 12 är avstängd i morgon.');
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({ findings: [] });
    expect(JSON.parse(utrop(['screen'], '').stdout)).toEqual({ findings: [] });
  });

  it('classifies plain text and JSON comments', () => {
    const plain = utrop(['moderate', 'classify'], 'Du är en j4vla idiot');
    expect(plain.status).toBe(0);
    const { labels } = JSON.parse(plain.stdout) as { labels: { label: string; rule: string; score: number }[] };
    expect(labels[0]).toMatchObject({ label: 'offensive' });
    expect(typeof labels[0]!.rule).toBe('string');
    const json = utrop(['moderate', 'classify'], JSON.stringify({ text: 'När öppnar badet?', author: 'kalle' }));
    expect(JSON.parse(json.stdout).labels.map((l: { label: string }) => l.label)).toEqual(['question']);
    expect(JSON.parse(utrop(['moderate', 'classify'], '').stdout)).toEqual({ labels: [] });
  });

  it('refuses hostile input with one line and exit 2, never a stack trace', () => {
    const cases: [string[], string | Buffer][] = [
      [['screen'], 'a\u0000b'],
      [['screen'], Buffer.from([0x48, 0xff, 0xfe, 0x21])],
      [['screen'], 'a'.repeat(10 * 1024 * 1024)],
      [['moderate', 'classify'], Buffer.from([0xc3, 0x28])],
      [['moderate', 'classify'], '{"text": "trasig'],
      [['moderate', 'classify'], '{"text": 42}'],
      [['moderate', 'frobnicate'], 'x'],
    ];
    for (const [args, input] of cases) {
      const r = utrop(args, input);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^utrop (screen|moderate)/);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});
