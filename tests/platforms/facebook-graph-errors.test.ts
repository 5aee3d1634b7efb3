/** The Graph error object → error class table (platforms.md §2.2, §3.4, §6), shared by Facebook and Instagram. */
import { describe, expect, it } from 'vitest';
import { defaultErrorPolicy, mapContainerError, mapGraphError, redactTokens, type GraphErrorObject } from '../../workers/platforms/meta/errors';
import { parseGraphTime, formatGraphTime } from '../../workers/platforms/meta/graph-time';
import { jpegDimensions } from '../../workers/platforms/meta/jpeg';
import { makeJpeg } from './instagram-fixtures';

const now = new Date('2026-03-01T12:00:00Z');
const policy = { ...defaultErrorPolicy, now: () => now };

function map(error: GraphErrorObject | null, status = 400, headers: Record<string, string> = {}, platform: 'facebook' | 'instagram' = 'instagram') {
  return mapGraphError({ platform, status, error, headers: new Headers(headers), policy });
}

describe('mapGraphError', () => {
  it.each([
    [{ code: 1 }, 500, 'transient'],
    [{ code: 2, is_transient: true }, 500, 'transient'],
    [{ code: 100, is_transient: true }, 400, 'transient'],
    [{ code: -1, error_subcode: 2207001 }, 400, 'transient'],
    [{ code: 24, error_subcode: 2207008 }, 400, 'transient'],
    [{ code: 9007, error_subcode: 2207027 }, 400, 'transient'],
    [{ code: 190 }, 400, 'auth_expired'],
    [{ code: 102 }, 400, 'auth_expired'],
    [{ code: 190, error_subcode: 460 }, 400, 'auth_expired'],
    [{ code: 200 }, 403, 'auth_expired'],
    [{ code: 506 }, 400, 'duplicate'],
    [{ code: 9, error_subcode: 2207042 }, 400, 'quota_exhausted'],
    [{ code: 100 }, 400, 'invalid_content'],
    [{ code: 36003, error_subcode: 2207009 }, 400, 'invalid_content'],
    [{ code: 352, error_subcode: 2207026 }, 400, 'invalid_content'],
    [{ code: 100, error_subcode: 2207023 }, 400, 'invalid_content'],
    [{ code: 100, error_subcode: 2207028 }, 400, 'invalid_content'],
  ] as const)('%j (HTTP %i) → %s', (error, status, errorClass) => {
    expect(map({ message: 'm', ...error }, status).errorClass).toBe(errorClass);
  });

  it.each([4, 17, 32, 341, 613, 80001])('throttle code %i → rate_limited with the fallback wait', (code) => {
    const e = map({ code, message: 'limit' });
    expect(e.errorClass).toBe('rate_limited');
    expect(e.details.retryAt?.getTime()).toBe(now.getTime() + policy.rateLimitFallbackMs);
  });

  it('takes retryAt from estimated_time_to_regain_access (minutes, the largest entry)', () => {
    const header = JSON.stringify({ '123': [{ type: 'pages', estimated_time_to_regain_access: 5 }, { type: 'pages', estimated_time_to_regain_access: 12 }] });
    const e = map({ code: 32, message: 'Page request limit reached' }, 400, { 'x-business-use-case-usage': header }, 'facebook');
    expect(e.details.retryAt).toEqual(new Date(now.getTime() + 12 * 60_000));
  });

  it('holds long for spam restriction and policy blocks', () => {
    expect(map({ code: 4, error_subcode: 2207051 }).details.retryAt).toEqual(new Date(now.getTime() + policy.longHoldMs));
    expect(map({ code: 368 }, 400, {}, 'facebook').errorClass).toBe('rate_limited');
  });

  it('quota_exhausted waits the configured fallback by default', () => {
    expect(map({ code: 9, error_subcode: 2207042 }).details.retryAt).toEqual(new Date(now.getTime() + policy.quotaFallbackMs));
  });

  it('answers non-Graph bodies by HTTP status', () => {
    expect(map(null, 502).errorClass).toBe('transient');
    expect(map(null, 429).errorClass).toBe('rate_limited');
    expect(map(null, 404).errorClass).toBe('invalid_content');
  });

  it('writes Swedish messages for content errors and never echoes tokens', () => {
    expect(map({ code: 36004, error_subcode: 2207010 }).message).toBe('Bildtexten är för lång för Instagram. Den får vara högst 2 200 tecken.');
    const e = map({ code: 100, message: 'Bad value EAAGabcdefghijklmnop in access_token=EAAGabcdefghijklmnop' }, 400, {}, 'facebook');
    expect(e.message).toMatch(/^Facebook godtog inte inlägget/);
    expect(e.message).not.toContain('EAAGabcdefghijklmnop');
    expect(redactTokens('x secret-token y', 'secret-token')).toBe('x [token] y');
  });
});

describe('mapContainerError', () => {
  it('retries with a new container for 2207020 and explains known content errors', () => {
    expect(mapContainerError('Error: 2207020 The media has expired.').errorClass).toBe('transient');
    const e = mapContainerError('Error: 2207026 Unsupported video format');
    expect(e.errorClass).toBe('invalid_content');
    expect(e.message).toMatch(/Videoformatet/);
    expect(mapContainerError('Error: something else').errorClass).toBe('invalid_content');
  });
});

describe('Graph timestamps and JPEG headers', () => {
  it('round-trips the +0000 offset format', () => {
    expect(formatGraphTime(now)).toBe('2026-03-01T12:00:00+0000');
    expect(parseGraphTime('2026-03-01T13:00:00+0100')).toEqual(now);
    expect(parseGraphTime('nonsense')).toBeNull();
  });

  it('reads width and height from the SOF header', () => {
    expect(jpegDimensions(makeJpeg(1080, 1350))).toEqual({ width: 1080, height: 1350 });
    expect(jpegDimensions(Buffer.from('not a jpeg'))).toBeNull();
  });
});
