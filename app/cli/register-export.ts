import { parseArgs } from 'node:util';
import { parseCityDate } from '../../common/time';
import { exportRegister, exportFormats, type ExportFormat } from '../../db/register/export/run';
import type { ExtraCommand } from './commands';
import { withDatabase } from './db';
import { badFileName, OutputFileError, writeFileAtomically } from './atomic-file';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ArgumentError extends Error {}

/** The export's arguments, checked; throws ArgumentError with one line to show. */
export function parseExportArgs(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        format: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        post: { type: 'string' },
        mask: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new ArgumentError((e as Error).message.split('\n')[0]!);
  }
  if (!values.format || !(exportFormats as readonly string[]).includes(values.format))
    throw new ArgumentError(`--format must be one of ${exportFormats.join(', ')}${values.format ? ` (got ${JSON.stringify(values.format.slice(0, 40))})` : ''}`);
  const format = values.format as ExportFormat;
  if (values.out === undefined) throw new ArgumentError('--out FILE is required');
  const bad = badFileName(values.out);
  if (bad) throw new ArgumentError(bad);
  const date = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const d = parseCityDate(value);
    if (!d.ok) throw new ArgumentError(`--${flag}: ${d.message}`);
    return d;
  };
  const from = date('from', values.from);
  const to = date('to', values.to);
  if (from && to && from.start.getTime() > to.start.getTime()) throw new ArgumentError(`--from ${values.from} is after --to ${values.to}`);
  if (format === 'bundle') {
    if (values.post === undefined || !UUID.test(values.post)) throw new ArgumentError('--format bundle needs --post with the post’s id (a UUID)');
    if (from || to) throw new ArgumentError('--format bundle takes no --from or --to: it holds everything on one post');
  } else if (values.post !== undefined) throw new ArgumentError('--post goes with --format bundle');
  return { format, out: values.out, range: { from: from?.start, before: to?.end }, postId: values.post?.toLowerCase(), mask: values.mask ?? false };
}

/**
 * `utrop register export --format csv|json|eark|bundle [--from DATE --to DATE] [--post ID] [--mask] --out FILE`.
 * Dates are calendar dates in Europe/Stockholm, both ends included. The file appears whole or not at all. Exit 0, 1 when
 * the file cannot be written (or the post has no records), 2 for bad arguments; always one line on stderr.
 */
export const registerExportCommand: ExtraCommand = {
  usage:
    'register export --format csv|json|eark|bundle [--from YYYY-MM-DD --to YYYY-MM-DD] [--post ID] [--mask] --out FILE\n' +
    '                                         export the register (bundle: one post’s records-request package, masked)',
  matches: (argv) => argv[0] === 'register' && argv[1] === 'export',
  async run(argv) {
    let args;
    try {
      args = parseExportArgs(argv.slice(2));
    } catch (e) {
      if (!(e instanceof ArgumentError)) throw e;
      process.stderr.write(`utrop register export: ${e.message}\n`);
      return 2;
    }
    const { format, out, range, postId, mask } = args;
    try {
      const summary = await withDatabase((db) => writeFileAtomically(out, (stream) => exportRegister(db, { format, range, postId, mask }, stream)));
      process.stdout.write(`Exported ${summary.records} records (${format}) to ${out}\n`);
      return 0;
    } catch (e) {
      if (e instanceof OutputFileError || (e instanceof Error && e.name === 'ExportError')) {
        process.stderr.write(`utrop register export: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
