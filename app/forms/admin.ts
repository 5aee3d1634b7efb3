import { z } from 'zod';
import { roleValues } from '../../common/roles';

/** A new user, as the admin form, the model and `utrop user add` all take it. Errors are catalogue keys. */
export const newUserSchema = z.object({
  email: z.string({ error: 'validation.email' }).trim().toLowerCase().email({ error: 'validation.email' }),
  name: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(200),
  role: z.enum(roleValues, { error: 'validation.required' }),
  password: z.string({ error: 'validation.required' }).min(12, { error: 'admin.passwordTooShort' }).max(1024, { error: 'admin.passwordTooLong' }),
});

export const createUserSchema = newUserSchema.extend({ intent: z.literal('create') });

export const userStatusSchema = z.object({
  intent: z.enum(['disable', 'enable']),
  userId: z.string().uuid(),
});

export const adminSchema = z.discriminatedUnion('intent', [createUserSchema, userStatusSchema]);
