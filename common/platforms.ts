/**
 * The platform list and the error classes, defined once: the database enums (db/schema) and the adapter contract
 * (workers/platforms/contract.ts) both read these, so a value can never exist in one and not the other.
 */
export const platforms = ['x', 'facebook', 'instagram', 'youtube'] as const;
export type Platform = (typeof platforms)[number];

/** Every platform failure is mapped into exactly one of these classes (docs/decisions/004). */
export const errorClasses = [
  'rate_limited',
  'quota_exhausted',
  'transient',
  'auth_expired',
  'invalid_content',
  'duplicate',
  'outcome_unknown',
] as const;
export type ErrorClass = (typeof errorClasses)[number];
