import { z } from 'zod';

export const manualCredentialsSchema = z.object({
  intent: z.literal('manual'),
  channelId: z.string().uuid(),
  credentials: z.string({ error: 'validation.required' }).trim().min(2, { error: 'validation.required' }),
});

export const chooseGrantSchema = z.object({
  channelId: z.string().uuid(),
  sealed: z.string().min(1),
  grant: z.coerce.number().int().min(0),
});
