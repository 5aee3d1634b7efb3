import { z } from 'zod';

/** The plain post form (before the full composer): one schema for the action and the UI. */
export const composeSchema = z.object({
  text: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }),
  link: z.string().trim().url({ error: 'validation.url' }).optional(),
  title: z.string().trim().max(200).optional(),
  channelIds: z.array(z.string().uuid(), { error: 'compose.noChannels' }).min(1, { error: 'compose.noChannels' }),
  at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { error: 'compose.badTime' })
    .optional(),
  crisis: z.boolean().optional(),
});

export const deliveryActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('retry'), deliveryId: z.string().uuid() }),
  z.object({ intent: z.literal('cancel'), deliveryId: z.string().uuid() }),
  z.object({
    intent: z.literal('resolve'),
    deliveryId: z.string().uuid(),
    published: z.enum(['yes', 'no']),
    reason: z.string({ error: 'validation.required' }).trim().min(3, { error: 'validation.required' }),
  }),
]);
