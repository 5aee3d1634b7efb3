/** Queries of api_tokens (ADR 037): the tokens, and the per-token request window the throttle counts in. */
import { eq, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { apiTokens, users, type ApiToken } from '../schema';

export type NewApiToken = typeof apiTokens.$inferInsert;

export async function insertApiToken(db: DbOrTx, values: NewApiToken): Promise<ApiToken> {
  const [row] = await db.insert(apiTokens).values(values).returning();
  if (!row) throw new Error('insert into api_tokens returned no row');
  return row;
}

export async function findApiTokenByName(db: DbOrTx, name: string): Promise<ApiToken | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.name, name));
  return row;
}

/** By name, or by id when `nameOrId` is a uuid (the caller checks the form). */
export async function findApiToken(db: DbOrTx, nameOrId: string, isId: boolean): Promise<ApiToken | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(isId ? or(eq(apiTokens.id, nameOrId), eq(apiTokens.name, nameOrId)) : eq(apiTokens.name, nameOrId));
  return row;
}

export async function findApiTokenByHash(db: DbOrTx, sha256: string): Promise<ApiToken | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenSha256, sha256));
  return row;
}

export async function markApiTokenRevoked(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.update(apiTokens).set({ revokedAt: at }).where(eq(apiTokens.id, id));
}

/**
 * Counts one request of a live token in its fixed one-minute window, in one statement (the row lock orders
 * concurrent requests of any web process). Returns the row after counting, or undefined for no live token.
 * The count stops one past the limit, so a flood does not grow it without bound.
 */
export async function countApiRequest(db: DbOrTx, sha256: string, now: Date): Promise<ApiToken | undefined> {
  const at = now.toISOString();
  const fresh = sql`${apiTokens.windowStartedAt} is not null and ${apiTokens.windowStartedAt} > ${at}::timestamptz - interval '60 seconds'`;
  const [row] = await db
    .update(apiTokens)
    .set({
      windowStartedAt: sql`case when ${fresh} then ${apiTokens.windowStartedAt} else ${at}::timestamptz end`,
      windowCount: sql`case when ${fresh} then least(${apiTokens.windowCount} + 1, ${apiTokens.ratePerMinute} + 1) else 1 end`,
      lastUsedAt: now,
    })
    .where(sql`${apiTokens.tokenSha256} = ${sha256} and ${apiTokens.revokedAt} is null`)
    .returning();
  return row;
}

/** The user a token acts as (checked on every request: a disabled user's tokens stop working). */
export async function findTokenUser(db: DbOrTx, userId: string) {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row;
}
