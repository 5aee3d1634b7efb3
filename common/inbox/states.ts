/** The inbox's value lists: one definition for the database columns, the forms and the UI. */
export const inboxItemKinds = ['comment', 'reply', 'mention'] as const;
export const inboxStates = ['new', 'answered', 'removed', 'escalated', 'handled'] as const;
export type InboxState = (typeof inboxStates)[number];
export const moderationActions = ['hide', 'delete'] as const;
export type ModerationAction = (typeof moderationActions)[number];
/** The city policy's reasons for removing a comment (sociala-medier.txt). */
export const moderationReasons = ['spam', 'repeated', 'advertising', 'irrelevant', 'offensive', 'confidential', 'personal_data'] as const;
export type ModerationReason = (typeof moderationReasons)[number];
export const inboxQueues = ['contact_centre'] as const;
