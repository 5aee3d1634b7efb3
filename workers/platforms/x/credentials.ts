import { z } from 'zod';

/**
 * X credentials are OAuth 2.0 user-context tokens (authorization code + PKCE). The access token lives two
 * hours; the refresh token is single-use and rotates on every refresh, so both must be stored together.
 */
export const credentialsSchema = z.object({
  accessToken: z.string().min(1),
  /** Null when the grant was made without the offline.access scope: the account must then reconnect. */
  refreshToken: z.string().min(1).nullable(),
  /** ISO timestamp; null when unknown (demo tokens), which means "never refresh proactively". */
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});

export type XCredentials = z.infer<typeof credentialsSchema>;
