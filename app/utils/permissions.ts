/**
 * Role-based permissions, typed. Client-safe: the UI hides what a role cannot do with the same table the
 * server enforces with requirePermission.
 */
import type { Role } from '../../db/schema/users';

export const permissionValues = [
  'view:overview',
  'view:posts',
  /** The planning calendar; a staff host has it only in their week, narrowed to their account and week (issue 13). */
  'view:planning',
  /** The whole calendar: every channel and author, the month view and the list view (not a staff host's week). */
  'view:planning:all',
  'create:post',
  /** Scheduling or publishing on the city's accounts; drafting alone is create:post. */
  'post:publish',
  'approve:post',
  'manage:delivery',
  'create:crisis',
  'view:inbox',
  'moderate:comment',
  'view:register',
  /** Confidential records in full; without it they are masked (sender, description, content withheld). */
  'view:register:confidential',
  'export:register',
  'verify:register',
  /** Retention classes and destruction (gallring) decisions, each registered (ADR 029, 036). */
  'manage:retention',
  'view:channels',
  'manage:channels',
  'manage:users',
  'view:simulator',
  /** The staff-account roster, invitations, guidelines and weekly summaries. */
  'manage:handover',
] as const;
export type Permission = (typeof permissionValues)[number];

const everyone: Permission[] = ['view:overview'];

export const rolePermissions = {
  admin: [...permissionValues],
  communications: [
    ...everyone,
    'view:posts',
    'view:planning',
    'view:planning:all',
    'create:post',
    'post:publish',
    'approve:post',
    'manage:delivery',
    'view:inbox',
    'moderate:comment',
    'view:channels',
    'view:simulator',
    // Their own publications are public records: searchable, confidential ones masked.
    'view:register',
  ],
  emergency: [...everyone, 'view:posts', 'view:planning', 'view:planning:all', 'create:post', 'post:publish', 'manage:delivery', 'create:crisis', 'view:channels', 'view:simulator'],
  // Drafting roles: no post:publish until the approval flow gives their posts a reviewer.
  employer_branding: [...everyone, 'view:posts', 'view:planning', 'view:planning:all', 'create:post', 'approve:post', 'view:channels', 'manage:handover'],
  staff_host: [...everyone, 'view:posts', 'view:planning', 'create:post'],
  contact_centre: [...everyone, 'view:inbox', 'moderate:comment'],
  registrar: [...everyone, 'view:register', 'view:register:confidential', 'export:register', 'verify:register', 'manage:retention'],
} satisfies Record<Role, Permission[]>;

/** A staff host outside every week of theirs: their own earlier posts, nothing more (issue 13). */
export const hostOffWeekPermissions: readonly Permission[] = ['view:overview', 'view:posts'];

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return (rolePermissions[role] as readonly Permission[]).includes(permission);
}
