import { z } from 'zod';

/** What we store for a connected YouTube channel. Google refresh tokens do not rotate, so one is kept for good. */
export const youtubeCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** When the access token expires; null when unknown (then the token is used until YouTube answers 401). */
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});

export type YoutubeCredentials = z.infer<typeof youtubeCredentialsSchema>;
