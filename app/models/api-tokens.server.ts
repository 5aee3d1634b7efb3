/**
 * Bearer tokens of the REST API (ADR 037): created and revoked from the CLI, checked on every API request. A token
 * is shown once; only its sha256 is kept. A token bound to a user acts as that user with that user's role, so a
 * staff host's token is as time-boxed as their session (the same per-request guard decides).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import type { ApiToken, User } from '../../db/schema';
import { recordAudit } from '../../db/queries/audit';
import { findUserByEmail } from '../../db/queries/users';
import { countApiRequest, findApiToken, findApiTokenByHash, findApiTokenByName, findTokenUser, insertApiToken, markApiTokenRevoked } from '../../db/queries/api-tokens';
import type { Actor } from '../../common/actor';
import { apiTokenSchema } from '../forms/api';

export class ApiTokenError extends Error {
  override readonly name = 'ApiTokenError';
  constructor(
    readonly code: 'exists' | 'no_user' | 'role_mismatch' | 'host_needs_user' | 'not_found' | 'already_revoked',
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_PREFIX = 'utr_';
export const hashApiToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Creates a token; returns the secret (shown once, never stored) and the row. */
export async function createApiToken(db: Db, input: z.input<typeof apiTokenSchema>, actor: Actor): Promise<{ token: string; row: ApiToken }> {
  const data = apiTokenSchema.parse(input);
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return db.transaction(async (tx) => {
    if (await findApiTokenByName(tx, data.name)) throw new ApiTokenError('exists', `a token named "${data.name}" already exists`);
    let user: User | undefined;
    if (data.userEmail) {
      user = await findUserByEmail(tx, data.userEmail);
      if (!user || user.disabledAt) throw new ApiTokenError('no_user', `no active user ${data.userEmail}`);
      // One identity, one role: the token cannot act as a user with rights the user lacks, nor with fewer-but-other ones.
      if (user.role !== data.role) throw new ApiTokenError('role_mismatch', `${data.userEmail} has role ${user.role}, not ${data.role}`);
    } else if (data.role === 'staff_host') {
      throw new ApiTokenError('host_needs_user', 'a staff_host token needs --user: a host acts only in their own week');
    }
    const row = await insertApiToken(tx, { name: data.name, role: data.role, userId: user?.id ?? null, tokenSha256: hashApiToken(secret), ratePerMinute: data.ratePerMinute });
    await recordAudit(tx, {
      actorUserId: actor.userId,
      actorLabel: actor.label,
      action: 'api_token.create',
      objectType: 'api_token',
      objectId: row.id,
      details: { name: row.name, role: row.role, userId: row.userId, ratePerMinute: row.ratePerMinute },
    });
    return { token: secret, row };
  });
}

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function revokeApiToken(db: Db, nameOrId: string, actor: Actor, now = new Date()): Promise<ApiToken> {
  return db.transaction(async (tx) => {
    const row = await findApiToken(tx, nameOrId, uuidLike.test(nameOrId));
    if (!row) throw new ApiTokenError('not_found', `no token named or with id "${nameOrId}"`);
    if (row.revokedAt) throw new ApiTokenError('already_revoked', `the token "${row.name}" was revoked at ${row.revokedAt.toISOString()}`);
    await markApiTokenRevoked(tx, row.id, now);
    await recordAudit(tx, { actorUserId: actor.userId, actorLabel: actor.label, action: 'api_token.revoke', objectType: 'api_token', objectId: row.id, details: { name: row.name } });
    return { ...row, revokedAt: now };
  });
}

export type TokenCheck =
  | { ok: false; code: 'invalid_token' | 'token_revoked' | 'user_disabled' }
  | { ok: true; token: ApiToken; user: User | null; retryAfterS: number | null };

/**
 * The bearer token of one request: counted in its minute window (in the database, so several web processes share
 * it); `retryAfterS` is set when the window is full.
 */
export async function checkApiToken(db: DbOrTx, secret: string, now = new Date()): Promise<TokenCheck> {
  const sha = hashApiToken(secret);
  const row = await countApiRequest(db, sha, now);
  if (!row) return { ok: false, code: (await findApiTokenByHash(db, sha)) ? 'token_revoked' : 'invalid_token' };
  let user: User | null = null;
  if (row.userId) {
    user = (await findTokenUser(db, row.userId)) ?? null;
    if (!user || user.disabledAt || user.role !== row.role) return { ok: false, code: 'user_disabled' };
  }
  const full = row.windowCount > row.ratePerMinute;
  const endsAt = (row.windowStartedAt ?? now).getTime() + 60_000;
  return { ok: true, token: row, user, retryAfterS: full ? Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)) : null };
}
