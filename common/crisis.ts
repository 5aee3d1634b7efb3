/** Crisis value lists shared by the database schema, forms, templates and the UI (ADR 023). */

/** CAP 1.2 severity (OASIS CAP §3.2.2 `severity`), lower-cased. */
export const crisisSeverityValues = ['extreme', 'severe', 'moderate', 'minor'] as const;
export type CrisisSeverity = (typeof crisisSeverityValues)[number];

/** The languages a crisis message is written in: Swedish, English and easy Swedish (lättläst). */
export const crisisLanguageValues = ['sv', 'en', 'sv-easy'] as const;
export type CrisisLanguage = (typeof crisisLanguageValues)[number];

/** alert → CAP Alert, update → CAP Update, all_clear → CAP Cancel. */
export const crisisMsgTypeValues = ['alert', 'update', 'all_clear'] as const;
export type CrisisMsgType = (typeof crisisMsgTypeValues)[number];
