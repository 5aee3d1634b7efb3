import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { loadBuild, startWebServer } from '../../app/server/web';
import { createTestDatabase } from '../support/db';
import { freePort } from '../support/ports';
import { HttpSession } from '../support/app';

const root = path.resolve(import.meta.dirname, '..', '..');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a database that cannot be reached', () => {
  it('is a 503 with Retry-After for the visitor, not a 500', async () => {
    // Nothing listens on this port: every query is refused, as while PostgreSQL restarts.
    const gone = openDatabase(`postgres://utrop:x@127.0.0.1:${await freePort()}/utrop`, { max: 1 });
    cleanups.push(() => gone.close());
    const web = await startWebServer({
      db: gone.db,
      build: await loadBuild(root),
      port: 0,
      host: '127.0.0.1',
      sessionSecret: randomBytes(32).toString('hex'),
      credentialsKey: randomBytes(32),
      simulatorUrl: 'http://127.0.0.1:9',
      root,
    });
    cleanups.push(() => web.close());
    // The sign-in page needs no database; signing in does.
    const res = await new HttpSession(web.url.replace('localhost', '127.0.0.1')).login('admin@utrop.example', 'utrop-demo-2026');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toContain('Försök igen om en stund');
  });

  it('is told apart from a query that is wrong, which stays an error of ours', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.destroy());
    const wrong = await db.sql`select * from no_such_table`.catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(wrong)).toBe(false);
    const refused = await openDatabase(`postgres://utrop:x@127.0.0.1:${await freePort()}/utrop`, { max: 1 })
      .sql`select 1`.catch((e: unknown) => e);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error('plain'))).toBe(false);
    expect(isDatabaseUnavailable({ cause: { code: '57P03' } })).toBe(true);
  });
});
