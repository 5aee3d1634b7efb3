/** CAP 1.2 export of crisis messages, validated against the OASIS schema the product ships (app/cli/CAP-v1.2.xsd). */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../pipeline/harness';
import { openIncident, publishMessage } from '../../app/models/crisis.server';
import { CAP_SENDER, capDateTime, exportCapAlert, exportIncidentCap, validateCap } from '../../app/models/cap.server';
import { capSchema } from '../../app/cli/cap';

// The schema as shipped (its bytes are pinned to the OASIS file in cap-cli.test.ts) and OASIS's own example alert,
// copied from ../shared/reference/cap/ so that a clean clone tests without anything beside it.
const schema = capSchema();
const example = readFileSync(new URL('./fixtures/cap_amber_alert_example.xml', import.meta.url), 'utf8');

let h: Harness;
const actor = { userId: null, label: 'test' };
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const vars = { area: 'Ödåkra & Kattarp <norr>', time: 'kl. 07.00', readMore: 'https://helsingborg.se/kris?a=1&b=2' };

describe('CAP 1.2', () => {
  it('the validator accepts the OASIS example and lists the schema errors of a broken alert', async () => {
    expect(await validateCap(example, schema)).toEqual({ valid: true, errors: [] });
    const broken = example.replace('<status>Actual</status>', '<status>Maybe</status>');
    const r = await validateCap(broken, schema);
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toContain('status');
  });

  it('alert, update and all-clear export as valid CAP: Alert/Update/Cancel, one info per language, references to every earlier message', async () => {
    const { incident } = await openIncident(h.t.db, { title: 'Otjänligt vatten', area: 'Ödåkra', severity: 'severe', languages: ['sv', 'en', 'sv-easy'] }, actor);
    const x = h.channel('x-helsingborg').id;
    const a = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'boil_water', variables: vars, channelIds: [x] }, actor);
    const u = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'boil_water', variables: { ...vars, whatToDo: 'Koka i tre minuter.' }, channelIds: [x] }, actor);
    const c = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'all_clear', variables: vars, channelIds: [x] }, actor);
    const all = (await exportIncidentCap(h.t.db, incident.id))!;
    expect(all.map((m) => m.messageId)).toEqual([a.message.id, u.message.id, c.message.id]);
    for (const m of all) expect(await validateCap(m.xml, schema), m.xml).toEqual({ valid: true, errors: [] });
    const [alertXml, updateXml, cancelXml] = all.map((m) => m.xml) as [string, string, string];
    expect(alertXml).toContain('<msgType>Alert</msgType>');
    expect(alertXml).toContain('<status>Actual</status>');
    expect(alertXml).not.toContain('<references>');
    expect(alertXml.match(/<info>/g)).toHaveLength(3);
    expect(alertXml).toContain('<language>sv-SE-x-lattlast</language>');
    expect(alertXml).toContain('Ödåkra &amp; Kattarp &lt;norr&gt;');
    expect(updateXml).toContain('<msgType>Update</msgType>');
    expect(updateXml).toContain(`<references>${CAP_SENDER},${a.message.capIdentifier},${capDateTime(a.message.publishedAt)}</references>`);
    expect(cancelXml).toContain('<msgType>Cancel</msgType>');
    expect(cancelXml).toContain(`${a.message.capIdentifier},${capDateTime(a.message.publishedAt)} ${CAP_SENDER},${u.message.capIdentifier}`);
    expect(capDateTime(new Date('2026-07-01T10:00:00Z'))).toBe('2026-07-01T12:00:00+02:00');
  });

  it('a drill exports with status Exercise; an unknown message is null', async () => {
    const { incident } = await openIncident(h.t.db, { title: 'Övning storm', area: 'Råå', severity: 'moderate', languages: ['sv'], exercise: true }, actor);
    const m = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'storm', variables: vars, channelIds: [h.channel('x-helsingborg').id] }, actor);
    const xml = (await exportCapAlert(h.t.db, m.message.id))!;
    expect(xml).toContain('<status>Exercise</status>');
    expect(await validateCap(xml, schema)).toEqual({ valid: true, errors: [] });
    expect(await exportCapAlert(h.t.db, '00000000-0000-0000-0000-000000000000')).toBeNull();
  });
});
