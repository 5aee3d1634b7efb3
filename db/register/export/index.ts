/** Serializers of the register (ADR 021): a search result or an export, already masked for its reader. */
export { writeCsv, csvField, neutraliseFormula, UTF8_BOM } from './csv';
export { writeJson, recordJson } from './json';
export { exportColumns, cityIso, contentText } from './columns';
export type { Records } from './stream';
export { writeEarkPackage, earkPaths, metsXml } from './eark';
export { writePostBundle, NoRecordsError } from './bundle';
export { recordsInRange, postRecords, type RecordRange } from './query';
export { exportRegister, exportFormats, ExportError, type ExportFormat } from './run';
