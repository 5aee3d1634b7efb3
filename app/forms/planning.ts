import { z } from 'zod';

/** /planering's query: which view and period (the loader turns bad values into a 400). */
export const planningQuerySchema = z.object({
  view: z.enum(['week', 'month']).default('week'),
  week: z.string().regex(/^\d{4}-W\d{2}$/).optional(),
  month: z.string().regex(/^\d{4}-\d{2}$/).optional(),
});
