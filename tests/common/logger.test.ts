import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createLogger } from '../../common/logger.server';
import { users } from '../../db/schema';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';
const email = 'hemlig.person@example.se';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger(stream, { level: 'info' }), text: () => lines.join('') };
}

describe('logs of database errors', () => {
  it('keep the error and its code but never the query values (postgres.js and drizzle)', async () => {
    // A real failing insert: the role enum refuses the value, with the email and the hash among the parameters.
    const err = await t.db
      .insert(users)
      .values({ email, name: 'X', role: 'no-such-role' as 'admin', passwordHash: hash })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const raw = await t.sql.unsafe('select $1::int + $2::int', [email, hash]).then(() => null, (e: unknown) => e);
    expect(raw).toBeInstanceOf(Error);
    const { log, text } = capture();
    log.error({ err }, 'request failed');
    log.error({ err: raw }, 'query failed');
    const out = text();
    expect(out).toContain('request failed');
    expect(out).toContain('22P02');
    expect(out).not.toContain(email);
    expect(out).not.toContain(hash);
    expect(out).not.toContain('c2FsdHNhbHQ');
  });

  it('still names what failed', async () => {
    const err = await t.db.execute(sql`select * from no_such_table`).then(() => null, (e: unknown) => e);
    const { log, text } = capture();
    log.error({ err }, 'failed');
    expect(text()).toContain('no_such_table');
  });
});
