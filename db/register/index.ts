/** The register of public records: what every producer and the registrar's tools use (ADR 011). */
export { recordHash, contentHash } from './canonical';
export { verifyRegister, writeAnchor, type VerifyResult, type BrokenRecord } from './verify';
