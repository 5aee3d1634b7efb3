import { z } from 'zod';
import { parseIsoWeek } from '../../common/time';

const text = (max: number) => z.string().trim().max(max, { error: 'handover.tooLong' });
const weekLabel = z
  .string({ error: 'validation.required' })
  .trim()
  .regex(/^\d{4}-W\d{2}$/, { error: 'handover.weekFormat' })
  .refine((v) => parseIsoWeek(v).ok, { error: 'handover.weekRange' });

/** One roster week, as the employer-branding form, the model and `utrop handover add` take it. Errors are catalogue keys. */
export const addWeekSchema = z.object({
  week: weekLabel,
  email: z.string({ error: 'validation.email' }).trim().toLowerCase().max(320, { error: 'validation.email' }).email({ error: 'validation.email' }),
  name: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(200, { error: 'handover.tooLong' }),
  workplace: text(200).optional(),
  theme: text(500).optional(),
  /** A channel key; the default handover channel when absent. */
  channel: z.string().trim().max(100).regex(/^[a-z0-9-]+$/, { error: 'handover.noChannel' }).optional(),
});

export const rosterActionSchema = z.discriminatedUnion('intent', [
  addWeekSchema.extend({ intent: z.literal('add') }),
  z.object({
    intent: z.literal('cancel'),
    weekId: z.string().uuid({ error: 'handover.noWeek' }),
    reason: z.string({ error: 'validation.required' }).trim().min(3, { error: 'validation.required' }).max(500, { error: 'handover.tooLong' }),
  }),
  z.object({ intent: z.literal('swap'), weekId: z.string().uuid({ error: 'handover.noWeek' }), otherWeekId: z.string().uuid({ error: 'handover.noWeek' }) }),
  z.object({ intent: z.literal('reinvite'), weekId: z.string().uuid({ error: 'handover.noWeek' }) }),
  z.object({
    intent: z.literal('guidelines'),
    channel: z.string().trim().max(100).regex(/^[a-z0-9-]+$/, { error: 'handover.noChannel' }),
    body: z.string({ error: 'validation.required' }).trim().min(20, { error: 'handover.guidelinesShort' }).max(20_000, { error: 'handover.tooLong' }),
  }),
]);

export const addWeekFormSchema = addWeekSchema.extend({ intent: z.literal('add') });


export const acceptInvitationSchema = z
  .object({
    password: z.string({ error: 'validation.required' }).min(12, { error: 'admin.passwordTooShort' }).max(1024, { error: 'admin.passwordTooLong' }),
    confirm: z.string({ error: 'validation.required' }).max(1024, { error: 'admin.passwordTooLong' }),
  })
  .refine((v) => v.password === v.confirm, { error: 'handover.passwordMismatch', path: ['confirm'] });

export const acceptGuidelinesSchema = z.object({
  guidelinesId: z.string().uuid({ error: 'handover.noGuidelines' }),
  accept: z.literal('yes', { error: 'handover.mustAccept' }),
});
