/**
 * Incoming warnings (issue 11): cap__poll's reading of the simulators' local Krisinformation-style Atom feed and
 * VMA-style CAP JSON feed, on a real database: an alert for the city is recorded once however often it is seen, one
 * for another area is ignored, and a feed that is down is skipped without losing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startSimulatorServer, type RunningSimulators } from '../../workers/platforms/sim/core';
import { allSimulators } from '../../workers/platforms/sim/all';
import { areaFilterOf, parseCapSources, pollCapSources, type CapSource } from '../../workers/lib/cap-poll';
import { crisisCapAlerts } from '../../db/schema';
import { incidentPrefill, pendingWarnings, dismissWarning } from '../../app/models/cap.server';
import { openIncident } from '../../app/models/crisis.server';

let t: TestDatabase;
let sims: RunningSimulators;
let sources: CapSource[];
const log = pino({ level: 'silent' });
const filter = areaFilterOf('1283,12', 'Helsingborg');
const actor = { userId: null, label: 'test' };

beforeAll(async () => {
  [t, sims] = await Promise.all([createTestDatabase(), startSimulatorServer(allSimulators)]);
  sources = parseCapSources(`atom:${sims.url}/feeds/krisinformation.atom json:${sims.url}/feeds/vma.json`);
});
afterAll(async () => {
  await sims?.close();
  await t?.close();
});

const poll = () => pollCapSources(t.db, sources, filter, { timeoutMs: 5_000, log });
const control = (path: string, body: unknown) => fetch(`${sims.url}/feeds/${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('cap__poll', () => {
  it('records an alert for the city once across polls and in either feed; another area is ignored; a feed that is down is skipped', async () => {
    const first = await poll();
    expect(first).toEqual([
      // The Atom feed's only item is for Malmö (1280): not the city's.
      { source: sources[0]!.url, ok: true, matching: 0, recorded: 0 },
      { source: sources[1]!.url, ok: true, matching: 1, recorded: 1 },
    ]);
    // The same alert again (the next minute, or a worker restarted): nothing new.
    expect((await poll()).map((r) => r.recorded)).toEqual([0, 0]);
    const warnings = await pendingWarnings(t.db);
    expect(warnings).toEqual([{ id: expect.any(String), headline: 'Rökutveckling vid brand i Helsingborgs hamn', area: 'Helsingborg', sender: 'vma@sr.se' }]);

    // A new Atom item for the city, by name only (no Helsingborg code), then the feeds go down.
    const added = await control('_alerts', {
      feed: 'atom',
      identifier: 'KRI-1283-2',
      sender: 'krisinformation@msb.se',
      sent: '2026-12-03T07:00:00+01:00',
      headline: 'Koka dricksvattnet i Ödåkra',
      instruction: 'Koka vattnet i minst en minut.',
      areaDesc: 'Ödåkra, Helsingborg',
      geocode: '99',
    });
    expect(added.status).toBe(201);
    await control('_down', { down: true });
    const down = await poll();
    expect(down.map((r) => r.ok)).toEqual([false, false]);
    expect(down[0]!.error).toContain('503');
    expect(await t.db.$count(crisisCapAlerts)).toBe(1);
    await control('_down', { down: false });
    expect((await poll()).map((r) => r.recorded)).toEqual([1, 0]);
    expect((await pendingWarnings(t.db)).map((w) => w.headline)).toEqual(['Rökutveckling vid brand i Helsingborgs hamn', 'Koka dricksvattnet i Ödåkra']);

    // "Open an incident from this": the form is prefilled, and once opened the banner is gone for good.
    const [smoke, water] = await pendingWarnings(t.db);
    const prefill = (await incidentPrefill(t.db, water!.id))!;
    expect(prefill).toMatchObject({ title: 'Koka dricksvattnet i Ödåkra', area: 'Ödåkra, Helsingborg', severity: 'severe', languages: ['sv'] });
    await openIncident(t.db, { title: prefill.title, area: prefill.area, severity: prefill.severity, languages: prefill.languages, capAlertId: prefill.capAlertId }, actor);
    expect(await dismissWarning(t.db, smoke!.id, actor)).toBe(true);
    expect(await pendingWarnings(t.db)).toEqual([]);
    await expect(openIncident(t.db, { title: 'igen', area: 'x', severity: 'minor', languages: ['sv'], capAlertId: water!.id }, actor)).rejects.toMatchObject({ code: 'invalid' });
    expect((await poll()).map((r) => r.recorded)).toEqual([0, 0]);
    expect(await pendingWarnings(t.db)).toEqual([]);
  }, 120_000);

  it('a feed answering nonsense, a DTD or the wrong shape is one skipped source, not a crash', async () => {
    const bad = await pollCapSources(
      t.db,
      [
        { kind: 'json', url: `${sims.url}/feeds/krisinformation.atom` },
        { kind: 'atom', url: `${sims.url}/feeds/vma.json` },
        { kind: 'atom', url: 'http://127.0.0.1:1/feed' },
      ],
      filter,
      { timeoutMs: 2_000, log },
    );
    expect(bad.map((r) => r.ok)).toEqual([false, false, false]);
  });
});
