/**
 * Tables whose rows are never changed or deleted (TF/OSL). The single list the application role's grants are derived
 * from (db/roles.ts): on these it gets INSERT and SELECT only. A table added here needs its append-only trigger in a
 * migration too; the grant follows without one.
 */
export const appendOnlyTables = ['audit_log', 'public_records', 'register_anchors', 'handover_guidelines', 'handover_acceptances'] as const;
