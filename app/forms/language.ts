import { z } from 'zod';

/** The language switch in the header: the locale and where to go back to. */
export const languageSchema = z.object({
  locale: z.string().max(10).optional(),
  redirectTo: z.string().optional(),
});
