import { canonicalJson, sha256Hex } from '../../common/canonical-json';
import type { PublicRecord } from '../schema/register';

/** One field of the canonical form: "<UTF-8 bytes>:<value>", or "-" for null (migration 0003, utrop_register_field). */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const text = String(value);
  return `${Buffer.byteLength(text, 'utf8')}:${text}`;
}

const ms = (d: Date | null) => (d === null ? null : String(d.getTime()));

/**
 * The SHA-256 of a record's canonical form, recomputed outside the database exactly as the insert trigger computes it
 * inside (migration 0003, utrop_register_hash): every registration field, the content hash and the previous hash.
 */
export function recordHash(r: PublicRecord): string {
  return sha256Hex(
    [
      'utrop-register-v1',
      field(r.id),
      field(r.registrationNumber),
      field(r.series),
      field(r.year),
      field(r.seq),
      field(ms(r.registeredAt)),
      field(ms(r.recordDate)),
      field(r.kind),
      field(r.direction),
      field(r.counterparty),
      field(r.summary),
      field(r.confidential),
      field(r.confidentialityRef),
      field(r.exercise),
      field(r.channelId),
      field(r.postId),
      field(r.deliveryId),
      field(r.relatedRecordId),
      field(r.platform),
      field(r.externalId),
      field(r.permalink),
      field(r.contentSha256),
      field(r.prevRecordSha256),
    ].join('\n'),
  );
}

export function contentHash(content: unknown): string {
  return sha256Hex(canonicalJson(content));
}

/**
 * What a destroyed record's content becomes (migration 0004, utrop_register_destroyed_content). The record keeps its
 * content hash, which its own hash covers, so the chain still verifies; the content itself is gone (ADR 029).
 */
export function destroyedContent(decision: { id: number; registrationNumber: string | null }): Record<string, unknown> {
  return { destroyed: true, decisionRecordId: decision.id, decisionNumber: decision.registrationNumber };
}

export function isDestroyedContent(content: unknown): boolean {
  return typeof content === 'object' && content !== null && (content as { destroyed?: unknown }).destroyed === true;
}
