/** The inbox's forms (issue 12): one zod schema per form, shared by the actions and the UI. Errors are message keys. */
import { z } from 'zod';
import { moderationLabels } from '../../common/moderation';
import { roleValues } from '../../common/roles';
import { moderationConfigSchema } from '../../common/inbox/settings';
import { inboxQueues, inboxStates, moderationActions, moderationReasons } from '../../common/inbox/states';

/** The list's filter, from the query string (GET form). Unknown keys are ignored; a bad value is a 400. */
export const inboxFilterSchema = z.object({
  channel: z.uuid().optional(),
  state: z.enum(inboxStates).optional(),
  label: z.enum(moderationLabels).optional(),
  queue: z.enum(inboxQueues).optional(),
  overdue: z.literal('1').optional(),
});
export type InboxFilterInput = z.infer<typeof inboxFilterSchema>;

const note = z.string().trim().max(500, { error: 'inbox.validation.tooLong' }).optional();

/** The thread page's actions; `intent` is the button pressed. */
export const inboxActionSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('reply'),
    text: z.string({ error: 'inbox.validation.text' }).trim().min(1, { error: 'inbox.validation.text' }).max(5000, { error: 'inbox.validation.tooLong' }),
    overrideReason: note,
    template: z.uuid().optional(),
  }),
  z.object({
    intent: z.literal('moderate'),
    action: z.enum(moderationActions, { error: 'inbox.validation.action' }),
    reason: z.enum(moderationReasons, { error: 'inbox.validation.reason' }),
    note,
  }),
  z.object({ intent: z.literal('escalate'), role: z.enum(roleValues, { error: 'inbox.validation.role' }), note }),
  z.object({ intent: z.literal('handled') }),
]);
export type InboxAction = z.infer<typeof inboxActionSchema>;

/** Lines of a textarea, blanks dropped. */
const lines = z
  .string()
  .max(20_000, { error: 'inbox.validation.tooLong' })
  .optional()
  .transform((s) => (s ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean));

const number = (min: number, max: number, int = false) => {
  const base = z.coerce.number({ error: 'inbox.validation.number' });
  return (int ? base.int({ error: 'inbox.validation.number' }) : base)
    .min(min, { error: 'inbox.validation.number' })
    .max(max, { error: 'inbox.validation.number' });
};

export const inboxSettingsSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('settings'),
    minScore: number(0.1, 0.99),
    repeatWindowMinutes: number(1, 7 * 24 * 60, true),
    repeatSimilarity: number(0.5, 1),
    repeatManyAuthors: number(2, 100, true),
    advertisingTerms: lines.pipe(moderationConfigSchema.shape.advertisingTerms),
    spamTerms: lines.pipe(moderationConfigSchema.shape.spamTerms),
    offensiveTerms: lines.pipe(moderationConfigSchema.shape.offensiveTerms),
    irrelevantTerms: lines.pipe(moderationConfigSchema.shape.irrelevantTerms),
    signatureFormat: z.string().trim().max(80, { error: 'inbox.validation.tooLong' }).optional().default(''),
    answerTargetHours: number(1, 24 * 14, true),
  }),
  z.object({
    intent: z.literal('template_save'),
    name: z.string({ error: 'inbox.validation.name' }).trim().min(1, { error: 'inbox.validation.name' }).max(80, { error: 'inbox.validation.name' }),
    body: z.string({ error: 'inbox.validation.text' }).trim().min(1, { error: 'inbox.validation.text' }).max(5000, { error: 'inbox.validation.tooLong' }),
  }),
  z.object({ intent: z.literal('template_delete'), id: z.uuid() }),
]);
