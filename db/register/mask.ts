import type { Role } from '../../common/roles';
import type { PublicRecord } from '../schema/register';

/** A record as it leaves the register (search, record page, exports): without the search vector. */
export type RegisterRecord = Omit<PublicRecord, 'searchVector'> & { searchVector?: unknown };

/** A record as released: `masked` says whether confidential fields were withheld. */
export type ReleasedRecord = Omit<RegisterRecord, 'searchVector'> & { masked: boolean };

/** What stands in a withheld field (Swedish: the register is released in Swedish). */
export const MASKED = '[Sekretess]';

/** Confidential records are shown in full only to the registrar and the administrator (issue 9). */
export function mayViewConfidential(role: Role): boolean {
  return role === 'registrar' || role === 'admin';
}

/**
 * The record as a reader may see it. A confidential record keeps every registration field that the register itself
 * must show (number, dates, direction, kind, the confidentiality mark and its legal reference, the hashes), so that a
 * masked release still proves what exists; the sender or recipient, the description, the content and the platform address are withheld
 * (OSL 5 kap. 2 §: sender and description separable so the register can be released with them masked). Non-confidential
 * records pass unchanged. The hashes stay those of the unmasked record: a holder of the full record can check them.
 */
export function maskRecord(record: RegisterRecord, options: { mayViewConfidential: boolean }): ReleasedRecord {
  const { searchVector: _searchVector, ...rest } = record;
  if (!record.confidential || options.mayViewConfidential) return { ...rest, masked: false };
  return {
    ...rest,
    counterparty: MASKED,
    summary: MASKED,
    // The platform's address of a comment leads straight to its author.
    permalink: null,
    externalId: null,
    content: { masked: true, confidentialityRef: record.confidentialityRef },
    masked: true,
  };
}

/** maskRecord for a role. */
export function maskRecordFor(record: RegisterRecord, role: Role): ReleasedRecord {
  return maskRecord(record, { mayViewConfidential: mayViewConfidential(role) });
}
