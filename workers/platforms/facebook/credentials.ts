import { z } from 'zod';

/**
 * A Page access token taken from a long-lived user token: it has no expiry date (platforms.md §2.3), so there is
 * nothing to refresh; a revoked or invalidated token shows up as Graph error 190 → auth_expired.
 */
export const facebookCredentialsSchema = z.object({
  pageAccessToken: z.string().min(1),
});
export type FacebookCredentials = z.infer<typeof facebookCredentialsSchema>;
