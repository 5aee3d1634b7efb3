import { z } from 'zod';
import { crisisLanguageValues, crisisSeverityValues } from '../../common/crisis';
import { crisisTemplateKeys } from '../../templates/crisis/index';

const text = (max: number) => z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(max, { error: 'crisis.tooLong' });
const optionalText = (max: number) => z.string().trim().max(max, { error: 'crisis.tooLong' }).optional();

/** Open an incident (/kris). Pause-all is on by default in the form and then needs its reason. */
export const openIncidentSchema = z
  .object({
    intent: z.literal('open'),
    title: text(200),
    area: text(120),
    severity: z.enum(crisisSeverityValues, { error: 'validation.required' }),
    languages: z.array(z.enum(crisisLanguageValues), { error: 'crisis.languagesRequired' }).min(1, { error: 'crisis.languagesRequired' }),
    exercise: z.boolean().optional(),
    pauseAll: z.boolean().optional(),
    pauseReason: optionalText(500),
    /** Opened from an incoming CAP alert (ADR 040). */
    capAlertId: z.string().uuid().optional(),
  })
  .refine((v) => !v.pauseAll || (v.pauseReason?.length ?? 0) >= 3, { path: ['pauseReason'], error: 'crisis.pause.reasonRequired' });

/** Resume after pause-all: the held deliveries chosen (none chosen = none released, the pause still ends). */
export const resumeSchema = z.object({
  intent: z.literal('resume'),
  deliveryIds: z.array(z.string().uuid()).max(10_000).optional(),
});

/** A message of an incident (/kris/:id): the template's variables are checked by the template's own schema. */
export const crisisMessageSchema = z.object({
  intent: z.enum(['preview', 'publish']),
  templateKey: z.enum(crisisTemplateKeys as [string, ...string[]], { error: 'validation.required' }),
  area: optionalText(500),
  road: optionalText(500),
  time: optionalText(500),
  whatToDo: optionalText(1000),
  readMore: optionalText(1000),
  channelIds: z.array(z.string().uuid(), { error: 'crisis.noChannels' }).min(1, { error: 'crisis.noChannels' }).max(50),
  screeningOverrideReason: optionalText(1000),
});

export const closeIncidentSchema = z.object({
  intent: z.literal('close'),
  reason: optionalText(1000),
});

/** The status board's retry of one failed cell (a delivery of this incident). */
export const crisisRetrySchema = z.object({
  intent: z.literal('retry'),
  deliveryId: z.string().uuid(),
});
