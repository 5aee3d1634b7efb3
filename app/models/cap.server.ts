/**
 * CAP 1.2 (OASIS Common Alerting Protocol) export of crisis messages (ADR 023): one <alert> per message, one <info>
 * per language, `references` to every earlier message of the incident, status Actual or Exercise. Validation against
 * the OASIS schema uses libxml2's xmllint compiled to WebAssembly (no native build, no network).
 */
import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import { validateXML } from 'xmllint-wasm';
import { CITY_TIME_ZONE } from '../../common/time';
import type { CrisisLanguage, CrisisMsgType } from '../../common/crisis';
import type { DbOrTx } from '../../db/client';
import { crisisTemplates, isCrisisTemplateKey } from '../../templates/crisis/index';
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

export interface CapValidation {
  valid: boolean;
  errors: string[];
}

/** Validates XML against the CAP 1.2 schema text (CAP-v1.2.xsd). */
export async function validateCap(xml: string, schema: string): Promise<CapValidation> {
  const result = await validateXML({ xml: { fileName: 'alert.xml', contents: xml }, schema: { fileName: 'CAP-v1.2.xsd', contents: schema } });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}
