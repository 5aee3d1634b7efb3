/**
 * CAP 1.2 against the OASIS schema (ADR 023, 040), shipped unchanged in app/cli/CAP-v1.2.xsd, with libxml2's xmllint
 * compiled to WebAssembly (no native build, no network), and the whole import of an XML alert: prechecks, schema,
 * then reading. Used by the web app, the CLI and the worker's feed poll.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';
import { CapImportError, decodeCapBytes, parseCapXml, precheckCapXml, type CapAlert } from './import';

const SCHEMA_IN_REPO = path.join('app', 'cli', 'CAP-v1.2.xsd');
let schemaText: string | undefined;

/**
 * The schema's text. Found by walking up from this module, because it runs from its source file (CLI, worker, tests)
 * and from the web app's single bundle in build/.
 */
export function capSchema(): string {
  if (schemaText !== undefined) return schemaText;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, SCHEMA_IN_REPO);
    if (existsSync(candidate)) return (schemaText = readFileSync(candidate, 'utf8'));
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`CAP schema ${SCHEMA_IN_REPO} not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export interface CapValidation {
  valid: boolean;
  errors: string[];
}

/** Validates XML against the CAP 1.2 schema text (CAP-v1.2.xsd). */
export async function validateCap(xml: string, schema: string = capSchema()): Promise<CapValidation> {
  const result = await validateXML({ xml: { fileName: 'alert.xml', contents: xml }, schema: { fileName: 'CAP-v1.2.xsd', contents: schema } });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage.trim()) };
}

/** Bytes or text of one CAP 1.2 XML alert → the alert, or CapImportError saying why not (first schema error named). */
export async function readCapXml(input: Uint8Array | string): Promise<CapAlert> {
  const xml = typeof input === 'string' ? input : decodeCapBytes(input);
  precheckCapXml(xml);
  const result = await validateCap(xml);
  if (!result.valid) {
    const first = (result.errors[0] ?? '').replace(/^alert\.xml:\d+:\s*/, '').slice(0, 300);
    throw new CapImportError('schema', 'cap.import.schema', { error: first });
  }
  return parseCapXml(xml);
}
