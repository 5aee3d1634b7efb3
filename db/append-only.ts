/**
 * Tables whose rows are never changed or deleted (TF/OSL). The single list the application role's grants are derived
 * from (db/roles.ts): on these it gets INSERT and SELECT only. A table added here needs its append-only trigger in a
 * migration too; the grant follows without one.
 */
export const appendOnlyTables = ['audit_log', 'public_records', 'register_anchors', 'handover_guidelines', 'handover_acceptances', 'handover_handbacks'] as const;

/**
 * Tables only SECURITY DEFINER functions of the owner write (ADR 029): the chain head and number series (the numbering
 * trigger) and the destruction rows (utrop_register_destroy). The application role may read them, nothing more.
 */
export const definerWrittenTables = ['register_chain', 'register_series', 'register_destructions'] as const;
