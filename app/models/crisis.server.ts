/**
 * Crisis use-cases (ADR 023, 031): incidents, their messages (alert → update → all_clear, each referencing the one
 * before), one post and one public record per language variant, and pause-all. No Remix here: the web app, the CLI
 * and the tests call these. Every change is one transaction with its audit entry and the jobs it enqueues.
 */
import { randomUUID } from 'node:crypto';
import { t, type Locale, type MessageKey } from '../../common/i18n';
import { blocks, screenText, type Finding } from '../../common/screening/index';
import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import { formatDateTime } from '../../common/time';
import type { Actor } from '../../common/actor';
import type { Db, DbOrTx } from '../../db/client';
import type { Channel, CrisisIncident, CrisisLanguage, CrisisMessage, CrisisMessageVariant, CrisisMsgType, CrisisPause, CrisisSeverity, Delivery } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { findChannelsByIds } from '../../db/queries/channels';
import { insertPost } from '../../db/queries/posts';
import {
  attemptsStillInProgress,
  findActivePause,
  findIncident,
  findMessage,
  findRecords,
  insertCrisisRecord,
  insertIncident,
  insertMessage,
  insertPause,
  insertVariant,
  listDeliveriesOfPosts,
  listHeldOrdinaryDeliveries,
  listIncidents as listIncidentRows,
  listMessages,
  listVariants,
  lockHeldOrdinaryDeliveries,
  lockIncident,
  lockWaitingOrdinaryDeliveries,
  ordinaryAttemptsInProgress,
  updateIncident,
  updatePause,
} from '../../db/queries/crisis';
import { checkDraft, createDeliveries, enqueuePublish, removePublishJob, transitionReturning } from '../../workers/delivery/index';
import type { LimitProblem, Platform } from '../../workers/platforms/index';
import { crisisTemplates, renderCrisisMessage, type CrisisTemplateKey, type Rendered } from '../../templates/crisis/index';
import { insertPostMedia } from '../../db/queries/post-media';
import { linkCapAlert } from '../../db/queries/crisis-cap';
import { insertVariants } from '../../db/queries/post-variants';
import { plannedCard, storeCard, type StoredCardFile } from './crisis-card.server';
import { retryDelivery } from './posts.server';

export type { Actor };

export class CrisisError extends Error {
  override readonly name = 'CrisisError';
  constructor(
    readonly code: 'not_found' | 'closed' | 'invalid' | 'screening' | 'limits' | 'paused' | 'not_paused',
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Incidents

export interface OpenIncidentInput {
  title: string;
  area: string;
  severity: CrisisSeverity;
  languages: CrisisLanguage[];
  exercise?: boolean;
  /** Hold every scheduled ordinary delivery while the incident lasts (default on in the form). */
  pauseAll?: boolean;
  pauseReason?: string | null;
  /** The incoming CAP alert this incident is opened from (ADR 040): its banner goes, its content fills the message. */
  capAlertId?: string | null;
}

export async function openIncident(db: Db, input: OpenIncidentInput, actor: Actor): Promise<{ incident: CrisisIncident; pause: CrisisPause | null }> {
  const languages = [...new Set(input.languages)];
  if (languages.length === 0) throw new CrisisError('invalid', t('crisis.languagesRequired'), { languages: [t('crisis.languagesRequired')] });
  const reason = input.pauseReason?.trim() ?? '';
  if (input.pauseAll && reason.length < 3) throw new CrisisError('invalid', t('crisis.pause.reasonRequired'), { pauseReason: [t('crisis.pause.reasonRequired')] });
  const incident = await db.transaction(async (tx) => {
    const row = await insertIncident(tx, {
      title: input.title,
      area: input.area,
      severity: input.severity,
      languages,
      exercise: input.exercise ?? false,
      openedBy: actor.userId,
    });
    if (input.capAlertId && !(await linkCapAlert(tx, input.capAlertId, row.id))) {
      throw new CrisisError('invalid', t('cap.incoming.notFound'), { capAlertId: [t('cap.incoming.notFound')] });
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'crisis.open',
      objectType: 'crisis_incident',
      objectId: row.id,
      details: { title: row.title, area: row.area, severity: row.severity, languages, exercise: row.exercise, pauseAll: !!input.pauseAll, capAlertId: input.capAlertId ?? null },
    });
    return row;
  });
  // A drill never holds the city's real publishing.
  const pause = input.pauseAll && !incident.exercise ? await pauseAll(db, { reason, incidentId: incident.id }, actor) : null;
  return { incident, pause };
}

/** Closing needs an all-clear sent in the incident, or a reason why there is none. */
export async function closeIncident(db: Db, incidentId: string, input: { reason?: string | null }, actor: Actor): Promise<CrisisIncident> {
  return db.transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (!incident) throw new CrisisError('not_found', t('crisis.notFound'));
    if (incident.closedAt) throw new CrisisError('closed', t('crisis.alreadyClosed'));
    const messages = await listMessages(tx, incidentId);
    const hasAllClear = messages.some((m) => m.msgType === 'all_clear');
    const reason = input.reason?.trim() || null;
    if (!hasAllClear && (!reason || reason.length < 3)) throw new CrisisError('invalid', t('crisis.closeNeedsReason'), { reason: [t('crisis.closeNeedsReason')] });
    const closedAt = new Date();
    await updateIncident(tx, incidentId, { closedAt, closedBy: actor.userId, closeReason: reason });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'crisis.close',
      objectType: 'crisis_incident',
      objectId: incidentId,
      details: { allClear: hasAllClear, reason },
    });
    return { ...incident, closedAt, closedBy: actor.userId, closeReason: reason };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

export interface MessageInput {
  incidentId: string;
  templateKey: CrisisTemplateKey;
  variables: Record<string, unknown>;
  channelIds: string[];
  /** Required when the screening finds something that blocks: the publisher's reason for sending anyway. */
  screeningOverrideReason?: string | null;
}

export interface ChannelCheck {
  channelId: string;
  name: string;
  platform: Platform;
  /** Why this channel does not carry the message (YouTube without a video, a real channel in a drill). */
  skipped: string | null;
  problems: LimitProblem[];
}

export interface VariantPreview {
  language: CrisisLanguage;
  rendered: Rendered;
  /** The image card every channel but YouTube carries (issue 11); null in a preview, before it is rendered. */
  card: { png: StoredCardFile; jpeg: StoredCardFile } | null;
  /** What every channel gets (drill mark and thread reference included). */
  text: string;
  findings: Finding[];
  channels: ChannelCheck[];
}

export interface MessagePreview {
  incident: CrisisIncident;
  msgType: CrisisMsgType;
  seq: number;
  variants: VariantPreview[];
  fieldErrors: Record<string, string[]>;
  /** True when the channels accept every variant (screening decides separately). */
  ok: boolean;
  blocked: boolean;
}

const msgTypeLabel: Record<CrisisLanguage, Record<'update' | 'all_clear', string>> = {
  sv: { update: 'UPPDATERING', all_clear: 'FARAN ÖVER' },
  en: { update: 'UPDATE', all_clear: 'ALL CLEAR' },
  'sv-easy': { update: 'NY INFORMATION', all_clear: 'FARAN ÖVER' },
};
const drillLabel: Record<CrisisLanguage, string> = { sv: 'ÖVNING', en: 'EXERCISE', 'sv-easy': 'ÖVNING' };
const followsLabel: Record<CrisisLanguage, string> = { sv: 'Gäller meddelandet från', en: 'Follows the message of', 'sv-easy': 'Om meddelandet från' };

/** The post text: drill mark, message type, and for a follow-up a line naming the first message (every platform). */
export function variantText(language: CrisisLanguage, rendered: Rendered, opts: { msgType: CrisisMsgType; exercise: boolean; firstAt: Date | null }): string {
  const head = [opts.exercise ? drillLabel[language] : null, opts.msgType === 'alert' ? null : msgTypeLabel[language][opts.msgType]].filter(Boolean).join(' – ');
  const follows = opts.firstAt ? `\n(${followsLabel[language]} ${formatDateTime(opts.firstAt, language === 'en' ? 'en' : 'sv')})` : '';
  return `${head ? `${head}: ` : ''}${rendered.text}${follows}`;
}

function nextMsgType(messages: CrisisMessage[], templateKey: CrisisTemplateKey): CrisisMsgType | { error: MessageKey } {
  if (messages.some((m) => m.msgType === 'all_clear')) return { error: 'crisis.afterAllClear' };
  const allClear = crisisTemplates[templateKey].allClear;
  if (messages.length === 0) return allClear ? { error: 'crisis.allClearFirst' } : 'alert';
  return allClear ? 'all_clear' : 'update';
}

/** Everything the screen shows before "Publicera": each language's text, its screening and every channel's check. */
export async function previewMessage(
  db: DbOrTx,
  input: Omit<MessageInput, 'screeningOverrideReason'>,
  locale: Locale = 'sv',
  cards?: Map<CrisisLanguage, { png: StoredCardFile; jpeg: StoredCardFile }>,
): Promise<MessagePreview> {
  const incident = await findIncident(db, input.incidentId);
  if (!incident) throw new CrisisError('not_found', t('crisis.notFound', {}, locale));
  const messages = await listMessages(db, incident.id);
  const type = nextMsgType(messages, input.templateKey);
  const fieldErrors: Record<string, string[]> = {};
  if (typeof type !== 'string') fieldErrors.templateKey = [t(type.error, {}, locale)];
  const rendered = renderCrisisMessage(input.templateKey, input.variables, incident.languages);
  if (!rendered.ok) Object.assign(fieldErrors, rendered.fieldErrors);
  const chosen = await findChannelsByIds(db, [...new Set(input.channelIds)]);
  if (chosen.length === 0) fieldErrors.channelIds = ['crisis.noChannels'];
  const first = messages[0] ?? null;
  const msgType = typeof type === 'string' ? type : 'update';
  const variants: VariantPreview[] = !rendered.ok
    ? []
    : rendered.variants.map(({ language, rendered: r }) => {
        const text = variantText(language, r, { msgType, exercise: incident.exercise, firstAt: first ? first.publishedAt : null });
        const card = cards?.get(language) ?? null;
        return {
          language,
          rendered: r,
          card,
          text,
          findings: screenText(text, { locale }),
          channels: chosen.map((c) => checkChannel(c, text, incident.exercise, locale, card)),
        };
      });
  const usable = variants.every((v) => v.channels.some((c) => !c.skipped)) && variants.every((v) => v.channels.every((c) => c.skipped || c.problems.length === 0));
  return {
    incident,
    msgType,
    seq: messages.length + 1,
    variants,
    fieldErrors,
    ok: Object.keys(fieldErrors).length === 0 && usable,
    blocked: variants.some((v) => blocks(v.findings)),
  };
}

function checkChannel(c: Channel, text: string, exercise: boolean, locale: Locale, card: { png: StoredCardFile; jpeg: StoredCardFile } | null): ChannelCheck {
  const base = { channelId: c.id, name: c.name, platform: c.platform };
  // YouTube's Data API has no text posts: a crisis message goes there only with a video (not offered here yet).
  if (c.platform === 'youtube') return { ...base, skipped: t('crisis.youtubeNeedsVideo', {}, locale), problems: [] };
  // A drill publishes only to the simulators.
  if (exercise && !c.apiBaseUrl) return { ...base, skipped: t('crisis.drillRealChannel', {}, locale), problems: [] };
  // Checked with the card it will carry: the rendered one when publishing, its planned type and size in a preview.
  const media = card ? [c.platform === 'instagram' ? card.jpeg : card.png] : [plannedCard(c.platform)];
  const problems = checkDraft(c.platform, { text, media }, locale);
  if (!c.enabled) problems.push({ code: 'channel_disabled', message: t('delivery.channelDisabled', { channel: c.name }, locale) });
  return { ...base, skipped: null, problems };
}

export interface PublishedMessage {
  message: CrisisMessage;
  variants: (CrisisMessageVariant & { deliveries: Delivery[] })[];
}

/**
 * Publishes at once, without four-eyes approval (the publisher is recorded): one post per language on every chosen
 * channel at crisis priority, and one public record per language (kind crisis_message, CAP identifier, exercise
 * mark). Refuses with CrisisError — nothing written — on bad variables, channel limits, or a blocking screening
 * finding without an override reason.
 */
export async function publishMessage(db: Db, input: MessageInput, actor: Actor, locale: Locale = 'sv'): Promise<PublishedMessage> {
  const preview = await previewMessage(db, input, locale);
  if (Object.keys(preview.fieldErrors).length > 0) throw new CrisisError('invalid', t('crisis.fixFields', {}, locale), preview.fieldErrors);
  if (!preview.ok) throw new CrisisError('limits', t('crisis.channelProblems', {}, locale), {}, channelProblems(preview, locale));
  const override = input.screeningOverrideReason?.trim() || null;
  if (preview.blocked && (!override || override.length < 3)) {
    const problems = preview.variants.flatMap((v) => v.findings.filter((f) => f.severity === 'block').map((f) => `${v.language}: ${f.message} (${f.text})`));
    throw new CrisisError('screening', t('crisis.screeningBlocks', {}, locale), { screeningOverrideReason: [t('crisis.screeningOverrideReason', {}, locale)] }, problems);
  }
  const rendered = renderCrisisMessage(input.templateKey, input.variables, preview.incident.languages);
  if (!rendered.ok) throw new CrisisError('invalid', t('crisis.fixFields', {}, locale), rendered.fieldErrors);
  // The cards are rendered and stored before the transaction (content-addressed files, harmless if it fails), then
  // every channel is checked again with the real files.
  const cards = await renderCards(preview, rendered.variables);
  const checked = await previewMessage(db, input, locale, cards);
  if (!checked.ok) throw new CrisisError('limits', t('crisis.channelProblems', {}, locale), {}, channelProblems(checked, locale));

  return db.transaction(async (tx) => {
    const incident = await lockIncident(tx, input.incidentId);
    if (!incident) throw new CrisisError('not_found', t('crisis.notFound', {}, locale));
    if (incident.closedAt) throw new CrisisError('closed', t('crisis.alreadyClosed', {}, locale));
    const messages = await listMessages(tx, incident.id);
    const type = nextMsgType(messages, input.templateKey);
    if (typeof type !== 'string') throw new CrisisError('invalid', t(type.error, {}, locale), { templateKey: [t(type.error, {}, locale)] });
    // Another publisher got in first since the preview: the texts would reference the wrong message.
    if (messages.length + 1 !== preview.seq) throw new CrisisError('invalid', t('crisis.staleMessage', {}, locale));
    const previous = messages[messages.length - 1] ?? null;
    const firstVariants = messages[0] ? await listVariants(tx, [messages[0].id]) : [];
    const id = randomUUID();
    const now = new Date();
    const message = await insertMessage(tx, {
      id,
      incidentId: incident.id,
      seq: messages.length + 1,
      msgType: type,
      previousMessageId: previous?.id ?? null,
      templateKey: input.templateKey,
      variables: rendered.variables,
      capIdentifier: capIdentifierOf(id),
      publishedBy: actor.userId,
      publishedAt: now,
      screeningOverrideReason: preview.blocked ? override : null,
      exercise: incident.exercise,
    });
    const out: PublishedMessage['variants'] = [];
    const previousRecordIds = previous ? (await listVariants(tx, [previous.id])).map((v) => v.recordId) : [];
    for (const v of checked.variants) {
      const targets = v.channels.filter((c) => !c.skipped);
      const thread = firstVariants.find((f) => f.language === v.language);
      const post = await insertPost(tx, {
        text: v.text,
        isCrisis: true,
        createdBy: actor.userId,
        scheduledAt: now,
        replyToPostId: thread?.postId ?? null,
      });
      if (v.card) await attachCard(tx, post.id, v.card, targets);
      const rows = await createDeliveries(
        tx,
        targets.map((c) => ({ postId: post.id, channelId: c.channelId, state: 'queued' as const, scheduledAt: now, isCrisis: true })),
      );
      for (const d of rows) await enqueuePublish(tx, d, now);
      const content = {
        capIdentifier: message.capIdentifier,
        msgType: type,
        incidentId: incident.id,
        seq: message.seq,
        language: v.language,
        headline: v.rendered.headline,
        description: v.rendered.description,
        instruction: v.rendered.instruction,
        text: v.text,
        channels: targets.map((c) => c.name),
        card: v.card ? { png: v.card.png.sha256, jpeg: v.card.jpeg.sha256, altText: v.card.png.altText } : null,
        references: previous?.capIdentifier ?? null,
        publishedBy: actor.userId,
        screeningOverrideReason: message.screeningOverrideReason,
        exercise: incident.exercise,
      };
      const record = await insertCrisisRecord(tx, {
        registeredAt: now,
        recordDate: now,
        kind: 'crisis_message',
        direction: 'outgoing',
        postId: post.id,
        externalId: message.capIdentifier,
        counterparty: t('crisis.recordCounterparty'),
        summary: Array.from(`${incident.exercise ? `${drillLabel[v.language]}: ` : ''}${v.rendered.headline}`).slice(0, 120).join(''),
        exercise: incident.exercise,
        relatedRecordId: previousRecordIds.find((r) => r !== null) ?? null,
        content,
        contentSha256: sha256Hex(canonicalJson(content)),
      });
      const variant = await insertVariant(tx, {
        messageId: message.id,
        language: v.language,
        headline: v.rendered.headline,
        text: v.text,
        instruction: v.rendered.instruction,
        postId: post.id,
        recordId: record.id,
      });
      out.push({ ...variant, deliveries: rows });
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'crisis.publish',
      objectType: 'crisis_message',
      objectId: message.id,
      details: {
        incidentId: incident.id,
        msgType: type,
        seq: message.seq,
        capIdentifier: message.capIdentifier,
        languages: out.map((v) => v.language),
        deliveries: out.flatMap((v) => v.deliveries.map((d) => d.id)),
        screeningOverrideReason: message.screeningOverrideReason,
      },
    });
    return { message, variants: out };
  });
}

function channelProblems(preview: MessagePreview, locale: Locale): string[] {
  const problems = preview.variants.flatMap((v) => v.channels.flatMap((c) => (c.skipped ? [] : c.problems.map((p) => `${v.language} · ${c.name}: ${p.message}`))));
  return problems.length ? problems : [t('crisis.noUsableChannel', {}, locale)];
}

/** One card per language, with the post text as its alt text. */
async function renderCards(preview: MessagePreview, variables: Record<string, string>): Promise<Map<CrisisLanguage, { png: StoredCardFile; jpeg: StoredCardFile }>> {
  const out = new Map<CrisisLanguage, { png: StoredCardFile; jpeg: StoredCardFile }>();
  // The languages render side by side: rasterising and JPEG encoding run off the main thread.
  await Promise.all(
    preview.variants.map(async (v) => {
      const card = await storeCard(
        {
          language: v.language,
          kind: preview.msgType,
          exercise: preview.incident.exercise,
          headline: v.rendered.headline,
          area: variables.area ?? preview.incident.area,
          instruction: v.rendered.instruction,
          readMore: variables.readMore ?? null,
        },
        v.text,
        `kriskort-${preview.seq}-${v.language}`,
      );
      out.set(v.language, card);
    }),
  );
  return out;
}

/**
 * The card as the post's media: the PNG is the base media (X, Facebook), and Instagram channels get the JPEG as
 * their own media (a post variant with own_media), since Instagram takes only JPEG.
 */
async function attachCard(tx: DbOrTx, postId: string, card: { png: StoredCardFile; jpeg: StoredCardFile }, targets: ChannelCheck[]): Promise<void> {
  const instagram = targets.filter((c) => c.platform === 'instagram');
  await insertPostMedia(tx, [
    { ...card.png, postId, position: 0, stored: true, data: null, channelId: null },
    ...instagram.map((c, i) => ({ ...card.jpeg, postId, position: i + 1, stored: true, data: null, channelId: c.channelId })),
  ]);
  await insertVariants(
    tx,
    instagram.map((c) => ({ postId, channelId: c.channelId, text: null, title: null, privacy: null, ownMedia: true })),
  );
}

/** CAP identifier: unique for the sender, no spaces, commas or restricted characters (CAP 1.2 §3.2.1). */
export function capIdentifierOf(messageId: string): string {
  return `utrop-${messageId}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface IncidentView {
  incident: CrisisIncident;
  messages: (CrisisMessage & { variants: (CrisisMessageVariant & { registrationNumber: string | null; deliveries: Delivery[] })[] })[];
}

export async function getIncident(db: DbOrTx, incidentId: string): Promise<IncidentView | null> {
  const incident = await findIncident(db, incidentId);
  if (!incident) return null;
  const messages = await listMessages(db, incidentId);
  const variants = await listVariants(db, messages.map((m) => m.id));
  const [records, dels] = await Promise.all([
    findRecords(db, variants.map((v) => v.recordId).filter((r): r is number => r !== null)),
    listDeliveriesOfPosts(db, variants.map((v) => v.postId).filter((p): p is string => p !== null)),
  ]);
  return {
    incident,
    messages: messages.map((m) => ({
      ...m,
      variants: variants
        .filter((v) => v.messageId === m.id)
        .map((v) => ({
          ...v,
          registrationNumber: records.find((r) => r.id === v.recordId)?.registrationNumber ?? null,
          deliveries: dels.filter((d) => d.postId === v.postId),
        })),
    })),
  };
}

export async function listIncidents(db: DbOrTx): Promise<CrisisIncident[]> {
  return listIncidentRows(db);
}

export async function getMessage(db: DbOrTx, messageId: string) {
  const message = await findMessage(db, messageId);
  if (!message) return null;
  const incident = await findIncident(db, message.incidentId);
  const variants = await listVariants(db, [message.id]);
  const all = incident ? await listMessages(db, incident.id) : [];
  return incident ? { incident, message, variants, earlier: all.filter((m) => m.seq < message.seq) } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Pause all (ADR 031)

export interface PauseOptions {
  /** How long to wait for ordinary sends already past the worker's last check (default: a platform timeout). */
  drainTimeoutMs?: number;
}

/**
 * Holds every ordinary delivery organisation-wide. Phase 1 commits the pause row: from then on every worker's last
 * check before the platform call (the gate in workers/tasks/delivery__publish.ts) holds an ordinary delivery
 * instead of sending it. Phase 2 waits for the attempts that were already running (one may be past its check and
 * inside its platform call), then holds every scheduled/queued ordinary delivery and sets in_force_at. When this
 * returns, nothing ordinary is in flight and nothing ordinary will be sent until resumeAll.
 */
export async function pauseAll(db: Db, input: { reason: string; incidentId?: string | null }, actor: Actor, opts: PauseOptions = {}): Promise<CrisisPause> {
  const reason = input.reason.trim();
  if (reason.length < 3) throw new CrisisError('invalid', t('crisis.pause.reasonRequired'), { pauseReason: [t('crisis.pause.reasonRequired')] });
  let pause: CrisisPause;
  try {
    pause = await db.transaction(async (tx) => {
      if (await findActivePause(tx)) throw new CrisisError('paused', t('crisis.pause.already'));
      const row = await insertPause(tx, { reason, incidentId: input.incidentId ?? null, pausedBy: actor.userId });
      await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'crisis.pause', objectType: 'crisis_pause', objectId: row.id, details: { reason, incidentId: row.incidentId } });
      return row;
    });
  } catch (e) {
    if ((e as { code?: string }).code === '23505' || (e as { cause?: { code?: string } }).cause?.code === '23505') throw new CrisisError('paused', t('crisis.pause.already'));
    throw e;
  }
  const running = await ordinaryAttemptsInProgress(db);
  const until = Date.now() + (opts.drainTimeoutMs ?? 31_000);
  while (running.length > 0 && Date.now() < until && (await attemptsStillInProgress(db, running)) > 0) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return db.transaction(async (tx) => {
    const waiting = await lockWaitingOrdinaryDeliveries(tx);
    for (const d of waiting) {
      await transitionReturning(tx, d, 'held', { nextAttemptAt: null, failureReason: t('crisis.pause.heldByPause') });
      await removePublishJob(tx, d.id);
    }
    const inForceAt = new Date();
    const held = waiting.map((d) => d.id);
    await updatePause(tx, pause.id, { inForceAt, heldDeliveries: held });
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'crisis.pause_in_force', objectType: 'crisis_pause', objectId: pause.id, details: { held } });
    return { ...pause, inForceAt, heldDeliveries: held };
  });
}

export async function activePause(db: DbOrTx): Promise<CrisisPause | null> {
  return (await findActivePause(db)) ?? null;
}

export interface HeldItem {
  delivery: Delivery;
  channelName: string;
  /** Its time has passed: resuming sends it now unless given a new time. */
  overdue: boolean;
}

/** The ordinary deliveries the pause holds (and those held for a channel's sign-in, which resume leaves alone). */
export async function listHeld(db: DbOrTx): Promise<HeldItem[]> {
  const held = await listHeldOrdinaryDeliveries(db);
  const chans = await findChannelsByIds(db, [...new Set(held.map((d) => d.channelId))]);
  const now = Date.now();
  return held
    .filter((d) => usable(chans.find((c) => c.id === d.channelId)))
    .map((d) => ({ delivery: d, channelName: chans.find((c) => c.id === d.channelId)?.name ?? '', overdue: d.scheduledAt.getTime() <= now }));
}

function usable(c: Channel | undefined): boolean {
  return !!c && c.enabled && c.credentialStatus === 'ok';
}

/**
 * Ends the pause and re-queues the held ordinary deliveries — all, or the chosen ones; a delivery whose time has
 * passed goes now, or at the new time given for it. Deliveries held because their channel needs signing in stay held.
 */
export async function resumeAll(
  db: Db,
  input: { deliveryIds?: string[]; newTimes?: Record<string, Date> },
  actor: Actor,
): Promise<{ pause: CrisisPause; released: Delivery[] }> {
  return db.transaction(async (tx) => {
    const pause = await findActivePause(tx);
    if (!pause) throw new CrisisError('not_paused', t('crisis.pause.notActive'));
    const resumedAt = new Date();
    await updatePause(tx, pause.id, { resumedAt, resumedBy: actor.userId });
    const held = await lockHeldOrdinaryDeliveries(tx, input.deliveryIds);
    const chans = await findChannelsByIds(tx, [...new Set(held.map((d) => d.channelId))]);
    const released: Delivery[] = [];
    for (const d of held) {
      if (!usable(chans.find((c) => c.id === d.channelId))) continue;
      const given = input.newTimes?.[d.id];
      const at = given && given.getTime() > resumedAt.getTime() ? given : d.scheduledAt.getTime() > resumedAt.getTime() ? d.scheduledAt : resumedAt;
      released.push(
        await transitionReturning(tx, d, at.getTime() > resumedAt.getTime() ? 'scheduled' : 'queued', {
          scheduledAt: at,
          giveUpAt: null,
          nextAttemptAt: null,
          failureClass: null,
          failureReason: null,
        }),
      );
      await enqueuePublish(tx, d, at);
    }
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'crisis.resume',
      objectType: 'crisis_pause',
      objectId: pause.id,
      details: { released: released.map((d) => d.id) },
    });
    return { pause: { ...pause, resumedAt, resumedBy: actor.userId }, released };
  });
}

/**
 * The board's retry button: a failed delivery of one of this incident's messages goes out again through the
 * pipeline's own retry (the same never-twice rules as the post page). A delivery of anything else is not found here.
 */
export async function retryIncidentDelivery(db: Db, incidentId: string, deliveryId: string, actor: Actor): Promise<void> {
  const view = await getIncident(db, incidentId);
  const ours = view?.messages.some((m) => m.variants.some((v) => v.deliveries.some((d) => d.id === deliveryId)));
  if (!ours) throw new CrisisError('not_found', t('crisis.retry.notFound'));
  await retryDelivery(db, deliveryId, actor);
}
