/**
 * The register's record kinds and directions: one list for the database schema (db/schema/register.ts), the search
 * form and the UI, client-safe (no drizzle here).
 */
export const recordKinds = [
  'outgoing_post',
  'inbound_comment',
  'outgoing_reply',
  'moderation_event',
  'deletion_event',
  'edit',
  'crisis_message',
  'destruction_decision',
  'register_note',
  'correction',
] as const;
export type RecordKind = (typeof recordKinds)[number];
export const recordDirections = ['outgoing', 'incoming', 'internal'] as const;
export type RecordDirection = (typeof recordDirections)[number];
