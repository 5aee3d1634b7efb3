/**
 * Incidents and their messages end to end: the use-cases on a real database, the real worker publishing to the
 * simulators through the real clients, the register's insert trigger numbering the records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { startHarness, waitFor, type Harness } from '../pipeline/harness';
import { closeIncident, CrisisError, openIncident, previewMessage, publishMessage, getIncident } from '../../app/models/crisis.server';
import { auditLog, deliveries, publicRecords } from '../../db/schema';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { verifyRegister } from '../../db/register/index';

let h: Harness;
const actor = { userId: null, label: 'test' };
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

const vars = (area: string) => ({ area, time: 'kl. 07.00 i dag', readMore: 'https://helsingborg.se/kris' });

async function newIncident(over: Partial<Parameters<typeof openIncident>[1]> = {}) {
  const { incident } = await openIncident(h.t.db, { title: 'Otjänligt vatten', area: 'Ödåkra', severity: 'severe', languages: ['sv', 'en'], ...over }, actor);
  return incident;
}

describe('incidents and messages', () => {
  it('alert, update and all-clear: each references the one before; one post and one crisis record per language; X replies to the first post', async () => {
    const incident = await newIncident();
    const x = h.channel('x-helsingborg');
    const fb = h.channel('facebook-helsingborg');
    const alert = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'boil_water', variables: vars('Ödåkra'), channelIds: [x.id, fb.id] }, actor);
    expect(alert.message).toMatchObject({ seq: 1, msgType: 'alert', previousMessageId: null, capIdentifier: `utrop-${alert.message.id}` });
    expect(alert.variants.map((v) => v.language).sort()).toEqual(['en', 'sv']);
    expect(alert.variants.every((v) => v.deliveries.length === 2 && v.deliveries.every((d) => d.isCrisis))).toBe(true);
    const sv = alert.variants.find((v) => v.language === 'sv')!;
    expect(sv.text).toContain('Koka dricksvattnet i Ödåkra');
    expect(alert.variants.find((v) => v.language === 'en')!.text).toContain('Boil drinking water in Ödåkra');

    const first = await waitFor(async () => {
      const ds = await h.t.db.select().from(deliveries).where(inArray(deliveries.id, alert.variants.flatMap((v) => v.deliveries.map((d) => d.id))));
      return ds.every((d) => d.state === 'published') ? ds : null;
    });
    const firstX = first.find((d) => d.channelId === x.id && d.postId === sv.postId)!;

    const update = await publishMessage(
      h.t.db,
      { incidentId: incident.id, templateKey: 'boil_water', variables: { ...vars('Ödåkra och Kattarp'), whatToDo: 'Koka vattnet i tre minuter.' }, channelIds: [x.id, fb.id] },
      actor,
    );
    expect(update.message).toMatchObject({ seq: 2, msgType: 'update', previousMessageId: alert.message.id });
    const upSv = update.variants.find((v) => v.language === 'sv')!;
    expect(upSv.text).toMatch(/^UPPDATERING: Koka dricksvattnet i Ödåkra och Kattarp/);
    expect(upSv.text).toContain('Koka vattnet i tre minuter.');
    // Elsewhere than X the update is a new post that names the first message.
    expect(upSv.text).toContain('Gäller meddelandet från');
    await waitFor(async () => {
      const ds = await h.t.db.select().from(deliveries).where(inArray(deliveries.id, update.variants.flatMap((v) => v.deliveries.map((d) => d.id))));
      return ds.every((d) => d.state === 'published') ? ds : null;
    });
    const posts = await h.simPosts();
    const xReply = posts.find((p) => p.platform === 'x' && p.text.startsWith('UPPDATERING: Koka dricksvattnet i Ödåkra och Kattarp'));
    expect(xReply?.replyTo).toBe(firstX.externalId);
    const fbUpdate = posts.find((p) => p.platform === 'facebook' && p.text.startsWith('UPPDATERING: Koka dricksvattnet i Ödåkra och Kattarp'));
    expect(fbUpdate?.replyTo ?? null).toBeNull();

    // Closing without an all-clear needs a reason.
    await expect(closeIncident(h.t.db, incident.id, {}, actor)).rejects.toMatchObject({ code: 'invalid' });

    const clear = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'all_clear', variables: vars('Ödåkra'), channelIds: [x.id] }, actor);
    expect(clear.message).toMatchObject({ seq: 3, msgType: 'all_clear', previousMessageId: update.message.id });
    expect(clear.variants.find((v) => v.language === 'sv')!.text).toMatch(/^FARAN ÖVER: Faran är över i Ödåkra/);
    // Nothing after the all-clear.
    await expect(publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'boil_water', variables: vars('Ödåkra'), channelIds: [x.id] }, actor)).rejects.toMatchObject({
      code: 'invalid',
    });
    const closed = await closeIncident(h.t.db, incident.id, {}, actor);
    expect(closed.closedAt).not.toBeNull();
    await expect(closeIncident(h.t.db, incident.id, { reason: 'igen' }, actor)).rejects.toMatchObject({ code: 'closed' });

    // One crisis_message record per language and message, with its CAP identifier, numbered and chained.
    const view = (await getIncident(h.t.db, incident.id))!;
    const recordIds = view.messages.flatMap((m) => m.variants.map((v) => v.recordId!));
    expect(recordIds).toHaveLength(6);
    const records = await h.t.db.select().from(publicRecords).where(inArray(publicRecords.id, recordIds));
    expect(records.every((r) => r.kind === 'crisis_message' && r.exercise === false && r.registrationNumber)).toBe(true);
    for (const m of view.messages) {
      for (const v of m.variants) {
        const r = records.find((x) => x.id === v.recordId)!;
        expect(r.externalId).toBe(m.capIdentifier);
        expect(r.content).toMatchObject({ language: v.language, msgType: m.msgType, capIdentifier: m.capIdentifier, text: v.text });
        expect(r.contentSha256).toBe(sha256Hex(canonicalJson(r.content)));
      }
    }
    expect((await verifyRegister(h.t.db)).ok).toBe(true);
    const audits = await h.t.db.select().from(auditLog).where(eq(auditLog.objectId, alert.message.id));
    expect(audits.map((a) => a.action)).toContain('crisis.publish');
  });

  it('the first message cannot be an all-clear; a reason closes an incident without one', async () => {
    const incident = await newIncident({ languages: ['sv'] });
    const x = h.channel('x-helsingborg');
    await expect(publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'all_clear', variables: vars('Råå'), channelIds: [x.id] }, actor)).rejects.toBeInstanceOf(CrisisError);
    const closed = await closeIncident(h.t.db, incident.id, { reason: 'Falsklarm: provtagningen var fel.' }, actor);
    expect(closed.closeReason).toBe('Falsklarm: provtagningen var fel.');
  });

  it('every template renders in Swedish, English and lättläst; fire smoke says to close doors, windows and ventilation', async () => {
    const incident = await newIncident({ languages: ['sv', 'en', 'sv-easy'] });
    const x = h.channel('x-helsingborg');
    const p = await previewMessage(h.t.db, { incidentId: incident.id, templateKey: 'fire_smoke', variables: vars('Väla'), channelIds: [x.id] });
    expect(p.ok).toBe(true);
    expect(p.variants.map((v) => v.language)).toEqual(['sv', 'en', 'sv-easy']);
    expect(p.variants[0]!.text).toContain('Stäng dörrar, fönster och ventilation.');
    expect(p.variants[1]!.text).toContain('Close doors, windows and ventilation.');
    const road = await previewMessage(h.t.db, { incidentId: incident.id, templateKey: 'road_closure', variables: vars('Väla'), channelIds: [x.id] });
    expect(road.fieldErrors.road).toEqual(['validation.required']);
  });

  it('YouTube is not sent a text message, and the preview says why; Instagram is checked with its image card', async () => {
    const incident = await newIncident({ languages: ['sv'] });
    const yt = h.channel('youtube-helsingborg');
    const ig = h.channel('instagram-helsingborg');
    const x = h.channel('x-helsingborg');
    const p = await previewMessage(h.t.db, { incidentId: incident.id, templateKey: 'storm', variables: vars('Helsingborg'), channelIds: [yt.id, x.id] });
    const ytCheck = p.variants[0]!.channels.find((c) => c.platform === 'youtube')!;
    expect(ytCheck.skipped).toContain('video');
    expect(p.ok).toBe(true);
    const published = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'storm', variables: vars('Helsingborg'), channelIds: [yt.id, x.id] }, actor);
    expect(published.variants[0]!.deliveries.map((d) => d.channelId)).toEqual([x.id]);
    const withIg = await previewMessage(h.t.db, { incidentId: incident.id, templateKey: 'storm', variables: vars('Helsingborg'), channelIds: [ig.id] });
    expect(withIg.ok).toBe(true);
    expect(withIg.variants[0]!.channels[0]!.problems).toEqual([]);
  });

  it('a blocking screening finding stops publication unless a reason is recorded', async () => {
    const incident = await newIncident({ languages: ['sv'] });
    const x = h.channel('x-helsingborg');
    const input = { incidentId: incident.id, templateKey: 'water_outage' as const, variables: { ...vars('Mörarp'), whatToDo: 'Kontakta 19121212-1212 för vatten.' }, channelIds: [x.id] };
    await expect(publishMessage(h.t.db, input, actor)).rejects.toMatchObject({ code: 'screening' });
    const before = await h.t.db.select().from(publicRecords).where(eq(publicRecords.kind, 'crisis_message'));
    const done = await publishMessage(h.t.db, { ...input, screeningOverrideReason: 'Numret är vattenverkets kundnummer, inte ett personnummer.' }, actor);
    expect(done.message.screeningOverrideReason).toBe('Numret är vattenverkets kundnummer, inte ett personnummer.');
    const after = await h.t.db.select().from(publicRecords).where(eq(publicRecords.kind, 'crisis_message'));
    expect(after.length).toBe(before.length + 1);
  });

  it('a drill is marked ÖVNING, its records are marked exercise, and it goes only to simulator channels', async () => {
    const incident = await newIncident({ exercise: true, languages: ['sv'] });
    const x = h.channel('x-helsingborg');
    const m = await publishMessage(h.t.db, { incidentId: incident.id, templateKey: 'power_outage', variables: vars('Maria'), channelIds: [x.id] }, actor);
    expect(m.message.exercise).toBe(true);
    expect(m.variants[0]!.text).toMatch(/^ÖVNING: Strömavbrott i Maria/);
    const [record] = await h.t.db.select().from(publicRecords).where(eq(publicRecords.id, m.variants[0]!.recordId!));
    expect(record!.exercise).toBe(true);
    expect(record!.summary).toMatch(/^ÖVNING: /);
    // What the drill published is registered as exercise too, not as a real outgoing post.
    const [d] = await h.t.db.select().from(deliveries).where(eq(deliveries.postId, m.variants[0]!.postId!));
    await h.waitForDelivery(d!.id, (x) => x.state === 'published');
    const [sent] = await h.t.db.select().from(publicRecords).where(eq(publicRecords.deliveryId, d!.id));
    expect(sent).toMatchObject({ kind: 'outgoing_post', exercise: true });
    // A channel without a simulator address (a real platform) is not used in a drill.
    await h.t.owner.db.execute(`update channels set api_base_url = null where key = 'facebook-helsingborg'`);
    const fb = h.channel('facebook-helsingborg');
    const p = await previewMessage(h.t.db, { incidentId: incident.id, templateKey: 'power_outage', variables: vars('Maria'), channelIds: [fb.id, x.id] });
    expect(p.variants[0]!.channels.find((c) => c.channelId === fb.id)!.skipped).toContain('Övning');
  });
});
