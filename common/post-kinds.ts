/**
 * Post kinds and the review states of the four-eyes flow (ADR 030). Client-safe: the composer shows the kinds, the
 * database schema checks them. Which channels a kind starts with and whether it needs approval is city
 * configuration (app/demo/helsingborg.json "postKinds"); the defaults below apply where the city says nothing.
 */
import { z } from 'zod';
import { roleValues, type Role } from './roles';

/** 'crisis' belongs to the crisis flow; the composer offers the other four. */
export const postKindValues = ['nyhet', 'pressmeddelande', 'general', 'staff', 'crisis'] as const;
export type PostKind = (typeof postKindValues)[number];
export const composerKinds = ['nyhet', 'pressmeddelande', 'general', 'staff'] as const satisfies readonly PostKind[];
export type ComposerKind = (typeof composerKinds)[number];

export const reviewStateValues = ['draft', 'not_required', 'pending_approval', 'returned', 'approved'] as const;
export type ReviewState = (typeof reviewStateValues)[number];

export const postKindRuleSchema = z.object({
  /** Channel keys ticked when the kind is chosen. */
  defaultChannels: z.array(z.string().min(1).max(100)).max(50),
  /** Whether every post of this kind needs a second person's approval (authors without post:publish always do). */
  requiresApproval: z.boolean(),
  /** Roles whose members (with approve:post) may approve this kind; admin always may. */
  approverRoles: z.array(z.enum(roleValues)).min(1),
});
export type PostKindRule = z.infer<typeof postKindRuleSchema>;

const partialRule = postKindRuleSchema.partial().optional();
export const postKindConfigSchema = z
  .object({ nyhet: partialRule, pressmeddelande: partialRule, general: partialRule, staff: partialRule })
  .strict();
export type PostKindConfig = Record<ComposerKind, PostKindRule>;

export const defaultPostKinds: PostKindConfig = {
  nyhet: { defaultChannels: ['x-helsingborg', 'facebook-helsingborg', 'instagram-helsingborg'], requiresApproval: false, approverRoles: ['communications'] },
  pressmeddelande: { defaultChannels: ['x-helsingborg', 'facebook-helsingborg'], requiresApproval: true, approverRoles: ['communications'] },
  general: { defaultChannels: [], requiresApproval: false, approverRoles: ['communications'] },
  staff: { defaultChannels: ['instagram-jobba'], requiresApproval: true, approverRoles: ['employer_branding'] },
};

/** The city's rules over the defaults, kind by kind. */
export function resolvePostKinds(config: unknown): PostKindConfig {
  const parsed = postKindConfigSchema.parse(config ?? {});
  const out = { ...defaultPostKinds };
  for (const k of composerKinds) out[k] = { ...defaultPostKinds[k], ...stripUndefined(parsed[k] ?? {}) };
  return out;
}

export function mayApproveKind(rules: PostKindConfig, kind: PostKind, role: Role): boolean {
  if (role === 'admin') return true;
  if (kind === 'crisis') return role === 'emergency' || role === 'communications';
  return rules[kind].approverRoles.includes(role);
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
