/**
 * The CAP upload on /kris over HTTP against the real Remix build (issue 11): a CAP 1.2 file becomes a prefilled
 * incident form, the incident opened from it a prefilled first message; hostile files are clear 4xx with nothing
 * written; the incoming-warning banner's dismiss refuses what is not a pending warning.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { signedIn, startTestApp, type HttpSession, type TestApp } from '../support/app';
import { crisisCapAlerts, crisisIncidents } from '../../db/schema';
import { CAP_MAX_BYTES } from '../../common/cap/import';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 240_000);
afterAll(async () => {
  await app?.close();
});

const boilWater = readFileSync(path.join(import.meta.dirname, '..', 'crisis', 'fixtures', 'cap_boil_water_helsingborg.xml'));
const alerts = async () => (await app.db.db.select({ n: count() }).from(crisisCapAlerts))[0]!.n;

function upload(s: HttpSession, data: Uint8Array | string, filename = 'larm.xml') {
  const form = new FormData();
  form.set('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type: 'application/xml' }), filename);
  return s.postMultipart('/kris', form);
}

describe('CAP upload on /kris', () => {
  it('an uploaded alert fills in the incident and, once opened, its first message; the same file again is the same alert', async () => {
    const s = await signedIn(app, 'emergency');
    const res = await upload(s, boilWater);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/kris\?varning=[0-9a-f-]{36}$/);
    const page = await (await s.get(location)).text();
    expect(page).toContain('Ifyllt från CAP-larmet ”Koka dricksvattnet i Ödåkra” från info@nsva.se');
    expect(page).toContain('value="Koka dricksvattnet i Ödåkra"');
    const capAlertId = location.split('=')[1]!;
    expect(page).toContain(`name="capAlertId" value="${capAlertId}"`);
    // The same file again: the same alert, not a second one.
    expect((await upload(s, boilWater, 'igen.xml')).headers.get('location')).toBe(location);
    expect(await alerts()).toBe(1);

    const opened = await s.post('/kris', { intent: 'open', title: 'Koka dricksvattnet i Ödåkra', area: 'Ödåkra', severity: 'severe', languages: 'sv', capAlertId });
    expect(opened.status).toBe(302);
    const incidentPage = await (await s.get(opened.headers.get('location')!)).text();
    expect(incidentPage).toContain('Ifyllt från CAP-larmet ”Koka dricksvattnet i Ödåkra”');
    expect(incidentPage).toContain('<option value="boil_water" selected="">');
    expect(incidentPage).toContain('value="Koka vattnet i minst en minut innan du dricker det eller lagar mat med det."');
    expect(incidentPage).toContain('value="https://nsva.se/driftinfo"');
    // Once opened, uploading the alert again leads to its incident.
    expect((await upload(s, boilWater)).headers.get('location')).toBe(opened.headers.get('location'));
  }, 120_000);

  it('hostile files are a clear 4xx naming the reason, and nothing is written', async () => {
    const s = await signedIn(app, 'emergency');
    const before = await alerts();
    const incidents = (await app.db.db.select({ n: count() }).from(crisisIncidents))[0]!.n;
    const cases: [string, string | Uint8Array, string, number, string][] = [
      ['not XML', 'Koka vattnet!', 'larm.xml', 400, 'Filen är inte XML.'],
      ['XXE', '<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&amp;x;</alert>', 'xxe.xml', 400, 'DTD'],
      ['wrong schema', '<html><body>x</body></html>', 'sida.html', 400, 'inte ett giltigt CAP 1.2-larm'],
      ['Latin-1', new Uint8Array([0x3c, 0x61, 0x3e, 0xe5, 0x3c, 0x2f, 0x61, 0x3e]), 'latin1.xml', 400, 'UTF-8'],
      ['odd file name', boilWater.toString('utf8').replace('<msgType>Alert</msgType>', '<msgType>Ack</msgType>'), '../../etc/passwd\u0000.xml', 400, 'Bara Alert, Update och Cancel'],
      ['empty', '', 'tom.xml', 400, 'Välj en CAP-fil'],
    ];
    for (const [label, data, name, status, text] of cases) {
      const res = await upload(s, data, name);
      expect(res.status, label).toBe(status);
      expect(await res.text(), label).toContain(text);
    }
    // Not everyone may import: the communications officer has no create:crisis.
    const comms = await signedIn(app, 'communications');
    expect((await upload(comms, boilWater)).status).toBe(403);
    // A prefill id that is not a UUID, or not an alert, just shows the empty form.
    for (const id of ["1' or '1'='1", '00000000-0000-0000-0000-000000000000', '%00']) {
      const res = await s.get(`/kris?varning=${encodeURIComponent(id)}`);
      expect(res.status, id).toBe(200);
      expect(await res.text()).not.toContain('name="capAlertId"');
    }
    // Dismissing what is not a pending warning: 404, nothing changed.
    for (const id of ['inte-ett-id', '00000000-0000-0000-0000-000000000000']) {
      expect((await s.post('/kris', { intent: 'dismiss-warning', capAlertId: id })).status, id).toBe(404);
    }
    // Larger than the limit: refused before the body is read to its end (last: the server then drops the connection).
    const huge = await upload(s, `<alert>${'x'.repeat(CAP_MAX_BYTES + 100 * 1024)}</alert>`);
    expect(huge.status).toBe(413);
    expect(await alerts()).toBe(before);
    expect((await app.db.db.select({ n: count() }).from(crisisIncidents))[0]!.n).toBe(incidents);
  }, 120_000);
});
