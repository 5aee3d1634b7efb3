import { z } from 'zod';
import { recordKinds } from '../../common/register';

/** The register's own records (decisions, notes) are always kept: they are not offered a retention class. */
export const retainableKinds = recordKinds.filter((k) => k !== 'destruction_decision' && k !== 'register_note');

// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const basis = z
  .string({ error: 'retention.basisRequired' })
  .trim()
  .min(3, { error: 'retention.basisRequired' })
  .max(500, { error: 'retention.tooLong' })
  .refine((v) => !controlChars.test(v), { error: 'retention.controlChars' });

/** /diarium/gallring (ADR 029, 036): one schema for the action and the UI, by intent. */
export const retentionActionSchema = z.discriminatedUnion('intent', [
  z
    .object({
      intent: z.literal('class'),
      kind: z.enum(retainableKinds as [string, ...string[]], { error: 'register.search.badChoice' }),
      keep: z.enum(['forever', 'years'], { error: 'register.search.badChoice' }),
      years: z.coerce.number({ error: 'retention.years' }).int({ error: 'retention.years' }).min(0, { error: 'retention.years' }).max(1000, { error: 'retention.years' }).optional(),
      basis,
    })
    .superRefine((v, ctx) => {
      if (v.keep === 'years' && v.years === undefined) ctx.addIssue({ code: 'custom', path: ['years'], message: 'retention.years' });
    }),
  z.object({
    intent: z.literal('destroy'),
    // Checked as a whole, so a bad id is reported on the field the page shows (not on one item of it).
    records: z
      .array(z.string().max(20), { error: 'retention.recordsRequired' })
      .min(1, { error: 'retention.recordsRequired' })
      .max(200, { error: 'retention.tooMany' })
      .refine((ids) => ids.every((id) => /^[1-9]\d{0,14}$/.test(id)), { error: 'retention.recordsRequired' }),
    basis,
    decidedBy: z
      .string({ error: 'retention.decidedByRequired' })
      .trim()
      .min(2, { error: 'retention.decidedByRequired' })
      .max(200, { error: 'retention.tooLong' })
      .refine((v) => !controlChars.test(v), { error: 'retention.controlChars' }),
    confirm: z.literal('yes', { error: 'retention.confirmRequired' }),
  }),
]);
export type RetentionAction = z.infer<typeof retentionActionSchema>;
