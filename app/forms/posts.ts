import { z } from 'zod';

/** The plain post form (before the full composer): one schema for the action and the UI. */
export const composeSchema = z.object({
  text: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }),
  link: z.string().trim().url({ error: 'validation.url' }).optional(),
  title: z.string().trim().max(200).optional(),
  channelIds: z.array(z.string().uuid(), { error: 'compose.noChannels' }).min(1, { error: 'compose.noChannels' }),
  /** City time; read strictly by parseCityLocalInput (impossible dates, daylight saving, the past) in the action. */
  at: z.string().max(40, { error: 'compose.badTime' }).optional(),
  /** Which reading of the repeated hour on the day winter time starts. */
  atOffset: z.enum(['+02:00', '+01:00']).optional(),
  /** "Publicera nu": ignore the time field. */
  when: z.enum(['now']).optional(),
  crisis: z.boolean().optional(),
  /** Why to publish despite a blocking screening finding (recorded with the post; issue 12). */
  screeningOverride: z.string().trim().max(500).optional(),
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
