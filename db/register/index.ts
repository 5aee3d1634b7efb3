/** The register of public records: what every producer and the registrar's tools use (ADR 011). */
export { recordHash, contentHash } from './canonical';
export { verifyRegister, writeAnchor, type VerifyResult, type BrokenRecord } from './verify';
export { destroyedContent, isDestroyedContent } from './canonical';
export type { DestroyedRecord } from './verify';
export {
  decideDestruction,
  destroyRecord,
  setRetentionClass,
  retentionClasses,
  destructionCandidates,
  DestructionRefusedError,
  type DestructionRefusal,
  type DestructionCandidate,
} from './retention';
export { maskRecord, maskRecordFor, mayViewConfidential, MASKED, type RegisterRecord, type ReleasedRecord } from './mask';
export { anchorChainHead, type AnchorResult } from './anchor';
