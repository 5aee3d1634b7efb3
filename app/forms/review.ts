import { z } from 'zod';

/** The review page's actions (ADR 030): one schema for the action and the UI. */
export const reviewActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('approve') }),
  z.object({
    intent: z.literal('return'),
    comment: z.string({ error: 'review.commentRequired' }).trim().min(3, { error: 'review.commentRequired' }).max(2000),
  }),
  z.object({
    intent: z.literal('edit'),
    text: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(100_000),
    title: z.string().trim().max(200).optional(),
    variants: z
      .array(
        z.object({
          channelId: z.string().uuid(),
          text: z.string().max(100_000).optional(),
          title: z.string().trim().max(200).optional(),
          privacy: z.enum(['public', 'unlisted', 'private']).optional(),
        }),
      )
      .max(20)
      .optional(),
  }),
]);
