import { z } from 'zod';
import { roleValues } from '../../common/roles';

export const createUserSchema = z.object({
  intent: z.literal('create'),
  email: z.string({ error: 'validation.email' }).trim().email({ error: 'validation.email' }),
  name: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(200),
  role: z.enum(roleValues, { error: 'validation.required' }),
  password: z.string({ error: 'validation.required' }).min(12, { error: 'admin.passwordTooShort' }),
});

export const userStatusSchema = z.object({
  intent: z.enum(['disable', 'enable']),
  userId: z.string().uuid(),
});

export const adminSchema = z.discriminatedUnion('intent', [createUserSchema, userStatusSchema]);
