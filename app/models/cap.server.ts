/**
 * CAP 1.2 (OASIS Common Alerting Protocol) export of crisis messages (ADR 023): one <alert> per message, one <info>
 * per language, `references` to every earlier message of the incident, status Actual or Exercise. Validation against
 * the OASIS schema uses libxml2's xmllint compiled to WebAssembly (no native build, no network).
 */
import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import type { CrisisLanguage, CrisisMsgType } from '../../common/crisis';
import type { Db, DbOrTx } from '../../db/client';
import type { CrisisCapAlert, CrisisSeverity } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { dismissCapAlert, findCapAlert, findCapAlertOfIncident, listPendingFeedAlerts, recordCapAlertOnce } from '../../db/queries/crisis-cap';
import { draftOf, storedFieldsOf, type CapAlert, type CapDraft } from '../../common/cap/import';
import { readCapXml } from '../../common/cap/validate.server';
import { CITY_TIME_ZONE, formatDateTime } from '../../common/time';
import type { Actor } from '../../common/actor';
import { crisisTemplates, isCrisisTemplateKey, type CrisisTemplateKey } from '../../templates/crisis/index';
import { getMessage, getIncident } from './crisis.server';

/** The sender as CAP wants it: unique for the organisation (an e-mail-like address is customary). */
export const CAP_SENDER = 'utrop@helsingborg.se';
const SENDER_NAME = 'Helsingborgs stad';

const capMsgType: Record<CrisisMsgType, 'Alert' | 'Update' | 'Cancel'> = { alert: 'Alert', update: 'Update', all_clear: 'Cancel' };
/** xs:language tags; easy Swedish as a private-use subtag. */
export const capLanguage: Record<CrisisLanguage, string> = { sv: 'sv-SE', en: 'en-GB', 'sv-easy': 'sv-SE-x-lattlast' };
const capSeverity = { extreme: 'Extreme', severe: 'Severe', moderate: 'Moderate', minor: 'Minor' } as const;

/** CAP dateTime: seconds, an explicit offset, no fraction (the schema's pattern), in city time. */
export function capDateTime(d: Date): string {
  return format(d, "yyyy-MM-dd'T'HH:mm:ssxxx", { in: tz(CITY_TIME_ZONE) });
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const el = (name: string, value: string | null | undefined, indent = '    ') => (value ? `${indent}<${name}>${esc(value)}</${name}>\n` : '');

/** The CAP 1.2 alert of one message, or null when there is no such message. */
export async function exportCapAlert(db: DbOrTx, messageId: string): Promise<string | null> {
  const found = await getMessage(db, messageId);
  if (!found) return null;
  const { incident, message, variants, earlier } = found;
  const template = isCrisisTemplateKey(message.templateKey) ? crisisTemplates[message.templateKey] : null;
  const references = earlier.map((m) => `${CAP_SENDER},${m.capIdentifier},${capDateTime(m.publishedAt)}`).join(' ');
  const type = message.msgType;
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n';
  xml += el('identifier', message.capIdentifier, '  ');
  xml += el('sender', CAP_SENDER, '  ');
  xml += el('sent', capDateTime(message.publishedAt), '  ');
  xml += el('status', message.exercise ? 'Exercise' : 'Actual', '  ');
  xml += el('msgType', capMsgType[type], '  ');
  xml += el('scope', 'Public', '  ');
  if (message.exercise) xml += el('note', 'ÖVNING – detta är en övning.', '  ');
  xml += el('references', references || null, '  ');
  xml += el('incidents', incident.id, '  ');
  for (const v of variants) {
    xml += '  <info>\n';
    xml += el('language', capLanguage[v.language]);
    xml += el('category', template?.capCategory ?? 'Other');
    xml += el('event', template ? template.name[v.language] : incident.title);
    xml += el('urgency', type === 'all_clear' ? 'Past' : 'Immediate');
    xml += el('severity', type === 'all_clear' ? 'Minor' : capSeverity[incident.severity]);
    xml += el('certainty', type === 'all_clear' ? 'Observed' : 'Likely');
    xml += el('senderName', SENDER_NAME);
    xml += el('headline', v.headline);
    xml += el('description', v.text);
    xml += el('instruction', v.instruction);
    xml += el('web', message.variables.readMore ?? null);
    xml += '    <area>\n';
    xml += el('areaDesc', message.variables.area ?? incident.area, '      ');
    xml += '    </area>\n';
    xml += '  </info>\n';
  }
  xml += '</alert>\n';
  return xml;
}

export async function messageBelongsTo(db: DbOrTx, messageId: string, incidentId: string): Promise<boolean> {
  const found = await getMessage(db, messageId);
  return found?.incident.id === incidentId;
}

/** Every message of an incident as CAP alerts, oldest first. */
export async function exportIncidentCap(db: DbOrTx, incidentId: string): Promise<{ messageId: string; capIdentifier: string; xml: string }[] | null> {
  const view = await getIncident(db, incidentId);
  if (!view) return null;
  const out = [];
  for (const m of view.messages) {
    const xml = await exportCapAlert(db, m.id);
    if (xml) out.push({ messageId: m.id, capIdentifier: m.capIdentifier, xml });
  }
  return out;
}

export { capSchema, validateCap, readCapXml, type CapValidation } from '../../common/cap/validate.server';

// ---------------------------------------------------------------------------------------------------------------
// Import (ADR 040): a file upload, `npx utrop cap import`, and the feed alerts cap__poll records.

export { CapImportError, CAP_MAX_BYTES, type CapDraft } from '../../common/cap/import';

/** A CAP 1.2 XML file → the draft crisis message it suggests (nothing stored). Throws CapImportError. */
export async function draftFromCapFile(bytes: Uint8Array): Promise<{ alert: CapAlert; draft: CapDraft }> {
  const alert = await readCapXml(bytes);
  return { alert, draft: draftOf(alert) };
}

/** An uploaded alert: recorded once (by CAP identity) as acted on by the uploader, with an audit entry. */
export async function importCapFile(db: Db, bytes: Uint8Array, actor: Actor): Promise<{ alert: CrisisCapAlert; draft: CapDraft; created: boolean }> {
  const { alert, draft } = await draftFromCapFile(bytes);
  return db.transaction(async (tx) => {
    const { alert: row, created } = await recordCapAlertOnce(tx, { ...storedFieldsOf(alert, draft), source: 'upload', receivedBy: actor.userId });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'crisis.cap_import',
      objectType: 'crisis_cap_alert',
      objectId: row.id,
      details: { identity: row.identity, created, msgType: draft.msgType },
    });
    return { alert: row, draft, created };
  });
}

/** What the open-incident form is filled in with, from an alert. */
export interface IncidentPrefill {
  capAlertId: string;
  headline: string;
  sender: string;
  title: string;
  area: string;
  severity: CrisisSeverity;
  languages: CrisisLanguage[];
}

const severities: Record<string, CrisisSeverity> = { Extreme: 'extreme', Severe: 'severe', Moderate: 'moderate', Minor: 'minor' };

export async function incidentPrefill(db: DbOrTx, capAlertId: string): Promise<IncidentPrefill | null> {
  const a = await findCapAlert(db, capAlertId);
  if (!a || a.incidentId || a.dismissedAt) return null;
  return {
    capAlertId: a.id,
    headline: a.headline,
    sender: a.sender,
    title: cut(a.headline, 200),
    area: cut(a.area, 120),
    severity: severities[a.severity] ?? 'severe',
    languages: a.languages.length > 0 ? a.languages : ['sv'],
  };
}

/** The message form's first values for an incident opened from an alert: its template guess and variables. */
export async function messagePrefill(db: DbOrTx, incidentId: string): Promise<{ headline: string; templateKey: CrisisTemplateKey; area: string; time: string; whatToDo: string; readMore: string } | null> {
  const a = await findCapAlertOfIncident(db, incidentId);
  if (!a) return null;
  const sent = new Date(a.sent);
  return {
    headline: a.headline,
    templateKey: templateFor(a),
    area: cut(a.area, 120),
    time: Number.isNaN(sent.getTime()) ? '' : cut(formatDateTime(sent, 'sv'), 60),
    whatToDo: cut(a.instruction.replace(/\s+/g, ' ').trim(), 200),
    readMore: a.web && a.web.length <= 200 ? a.web : '',
  };
}

function cut(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** A best guess from the alert's CAP category and event words; the emergency manager chooses in the end. */
function templateFor(a: Pick<CrisisCapAlert, 'msgType' | 'category' | 'event' | 'headline'>): CrisisTemplateKey {
  if (a.msgType === 'all_clear') return 'all_clear';
  const words = `${a.event} ${a.headline}`.toLowerCase();
  if (/koka|boil|dricksvatten|drinking water/.test(words)) return 'boil_water';
  if (/vattenavbrott|water outage|utan vatten/.test(words)) return 'water_outage';
  if (/ström|power/.test(words)) return 'power_outage';
  if (/rök|brand|smoke|fire|gas/.test(words) || a.category === 'Fire') return 'fire_smoke';
  if (/storm|vind|wind|oväder/.test(words) || a.category === 'Met') return 'storm';
  if (/väg|road|avstängd/.test(words) || a.category === 'Transport') return 'road_closure';
  return a.category === 'Health' ? 'boil_water' : 'storm';
}

/** Feed alerts for the city nobody has acted on: the banner emergency managers see on every page. */
export async function pendingWarnings(db: DbOrTx): Promise<{ id: string; headline: string; area: string; sender: string }[]> {
  return (await listPendingFeedAlerts(db)).map((a) => ({ id: a.id, headline: cut(a.headline, 200), area: cut(a.area, 120), sender: cut(a.sender, 100) }));
}

export async function dismissWarning(db: Db, id: string, actor: Actor): Promise<boolean> {
  return db.transaction(async (tx) => {
    const done = await dismissCapAlert(tx, id, actor.userId);
    if (done) await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'crisis.cap_dismiss', objectType: 'crisis_cap_alert', objectId: id, details: {} });
    return done;
  });
}
