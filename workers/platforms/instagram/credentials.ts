import { z } from 'zod';

/**
 * The Page access token of the Facebook Page the Instagram professional account is linked to (Facebook Login path).
 * Taken from a long-lived user token it has no expiry date (platforms.md §2.3, §3.5).
 */
export const instagramCredentialsSchema = z.object({
  accessToken: z.string().min(1),
});
export type InstagramCredentials = z.infer<typeof instagramCredentialsSchema>;
