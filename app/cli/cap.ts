import { readFileSync, statSync } from 'node:fs';
import type { ExtraCommand } from './commands';
import { withDatabase } from './db';
import { capSchema, exportCapAlert, validateCap } from '../models/cap.server';
import { CAP_MAX_BYTES, CapImportError, draftOf } from '../../common/cap/import';
import { readCapXml } from '../../common/cap/validate.server';
import { t } from '../../common/i18n';

/** The OASIS CAP 1.2 schema, unchanged (docs.oasis-open.org/emergency/cap/v1.2), shipped so validation needs no network. */
export { capSchema };

const MAX_FILE = 8 * 1024 * 1024;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const fail = (msg: string) => {
  process.stderr.write(`${msg}\n`);
  return 2;
};

/** `utrop cap validate FILE`: exit 0 valid, 1 with the schema errors listed, 2 when the file cannot be read. */
export const capValidateCommand: ExtraCommand = {
  usage: 'cap validate FILE                     check a CAP 1.2 alert against the OASIS schema (exit 1 with the errors)',
  matches: (argv) => argv[0] === 'cap' && argv[1] === 'validate',
  async run(argv) {
    const file = argv[2];
    if (!file || argv.length > 3) return fail('utrop cap validate: give exactly one FILE');
    let bytes: Buffer;
    try {
      if (statSync(file).size > MAX_FILE) return fail(`utrop cap validate: the file is larger than ${MAX_FILE / 1024 / 1024} MB`);
      bytes = readFileSync(file);
    } catch {
      return fail(`utrop cap validate: cannot read ${JSON.stringify(file.slice(0, 200))}`);
    }
    let xml: string;
    try {
      xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return fail('utrop cap validate: the file is not UTF-8');
    }
    const result = await validateCap(xml, capSchema());
    if (result.valid) {
      process.stdout.write('Giltig CAP 1.2.\n');
      return 0;
    }
    // The errors are the command's result (stdout, for a pipe); the refusal itself is said on stderr like every
    // other refusal, so a script that only watches stderr still learns why.
    process.stdout.write(`${result.errors.map((e) => e.trim()).join('\n')}\n`);
    process.stderr.write(`utrop cap validate: not valid CAP 1.2 (${result.errors.length} ${result.errors.length === 1 ? 'error' : 'errors'})\n`);
    return 1;
  },
};

/** `utrop cap export MESSAGE_ID`: prints the message's CAP 1.2 alert. */
export const capExportCommand: ExtraCommand = {
  usage: 'cap export MESSAGE_ID                 print a crisis message as a CAP 1.2 alert',
  matches: (argv) => argv[0] === 'cap' && argv[1] === 'export',
  async run(argv) {
    const id = argv[2];
    if (!id || argv.length > 3 || !uuid.test(id)) return fail('utrop cap export: give one MESSAGE_ID (a UUID)');
    const xml = await withDatabase((db) => exportCapAlert(db, id.toLowerCase()));
    if (!xml) return fail(`utrop cap export: no crisis message ${id}`);
    process.stdout.write(xml);
    return 0;
  },
};

/**
 * `utrop cap import FILE --json`: prints the draft crisis message the alert would create, exactly
 * { "msgType", "headline", "description", "instruction", "area", "languages" }. Nothing is stored (the web upload
 * and the feed poll store). Exit 2 with one line for a file that is not a CAP 1.2 alert we can take.
 */
export const capImportCommand: ExtraCommand = {
  usage: 'cap import FILE --json                print the draft crisis message a CAP 1.2 alert would create',
  matches: (argv) => argv[0] === 'cap' && argv[1] === 'import',
  async run(argv) {
    const args = argv.slice(2);
    const files = args.filter((a) => a !== '--json');
    if (files.length !== 1 || !args.includes('--json') || args.length !== 2) return fail('utrop cap import: give exactly one FILE and --json');
    const file = files[0]!;
    let bytes: Buffer;
    try {
      // The size is checked before reading, so a huge file is never loaded.
      if (statSync(file).size > CAP_MAX_BYTES) return fail(`utrop cap import: ${t('cap.import.tooLarge', { max: CAP_MAX_BYTES / 1024 }, 'en')}`);
      bytes = readFileSync(file);
    } catch {
      return fail(`utrop cap import: cannot read ${JSON.stringify(file.slice(0, 200))}`);
    }
    try {
      const draft = draftOf(await readCapXml(bytes));
      const out = { msgType: draft.msgType, headline: draft.headline, description: draft.description, instruction: draft.instruction, area: draft.area, languages: draft.languages };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    } catch (e) {
      if (e instanceof CapImportError) return fail(`utrop cap import: ${t(e.key, e.values, 'en').replace(/\s+/g, ' ')}`);
      throw e;
    }
  },
};
