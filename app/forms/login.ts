import { z } from 'zod';

/** One schema for the login form: the action parses with it, the UI derives constraints from it. Messages are catalogue keys. */
export const loginSchema = z.object({
  email: z.string({ error: 'validation.email' }).trim().email({ error: 'validation.email' }),
  password: z.string({ error: 'validation.required' }).min(1, { error: 'validation.required' }),
  redirectTo: z.string().optional(),
});

export const logoutSchema = z.object({ everywhere: z.enum(['true', 'false']).optional() });
