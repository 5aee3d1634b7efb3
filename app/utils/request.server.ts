/**
 * The one place a request body is read. Every form route goes through readForm: the body is read once, with a size
 * limit, in the encoding the route expects; each field is checked for NUL bytes, invalid UTF-8 and length, and a
 * problem becomes a named field error (Swedish) instead of reaching PostgreSQL as a 500. Route parameters go through
 * parseIdParam. What cannot be read at all (too big, wrong content type, broken multipart) is a thrown 4xx response.
 */
import type { AppLoadContext } from '@remix-run/node';
import { parseWithZod } from '@conform-to/zod/v4';
import type { SubmissionResult } from '@conform-to/react';
import type { ZodType } from 'zod';
import { t, type Locale } from '../../common/i18n';
import { verifyCsrf } from './csrf.server';
import { localeFromRequest } from './locale.server';

export type FormEncoding = 'urlencoded' | 'multipart';

export interface ReadFormOptions {
  /** What the route's <Form> sends; any other content type is a 415. Default urlencoded. */
  encoding?: FormEncoding;
  /** Upper bound of the whole body in bytes; more is a 413. Default 2 MiB (urlencoded), 64 MiB (multipart). */
  maxBytes?: number;
  /** Longest value of a text field, in characters; per field name, `'*'` for the rest. Default 4000. */
  maxChars?: Partial<Record<string, number>> & { '*'?: number };
  /** Set false only for forms that carry no session-bound action. Default true. */
  csrf?: boolean;
  locale?: Locale;
}

export interface ReadForm {
  /** The fields as typed, with what could not be kept removed (NUL bytes) or cut (overlong values), for re-rendering. */
  form: FormData;
  /** Field name → Swedish messages; `''` for the form as a whole. Empty when every field is fine. */
  fieldErrors: Record<string, string[]>;
  ok: boolean;
}

export const DEFAULT_MAX_URLENCODED_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_MULTIPART_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_CHARS = 4000;

/** A refusal of the whole request, with a Swedish message as its body (the root ErrorBoundary shows it). */
export function inputRefusal(status: 400 | 413 | 415, message: string, headers?: HeadersInit): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers } });
}

function contentTypeOf(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readBody(request: Request, maxBytes: number, locale: Locale): Promise<Buffer> {
  const tooLarge = () => inputRefusal(413, t('input.tooLarge', { max: Math.floor(maxBytes / (1024 * 1024)) || 1 }, locale));
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

function percentDecodeBytes(part: string): Uint8Array {
  const plus = part.replace(/\+/g, ' ');
  const out: number[] = [];
  const raw = Buffer.from(plus, 'latin1');
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i]!;
    if (c === 0x25 && i + 2 < raw.length && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0))) {
      out.push(parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16));
      i += 2;
    } else out.push(c);
  }
  return Uint8Array.from(out);
}

/** application/x-www-form-urlencoded, decoded by hand so that invalid UTF-8 is seen (URLSearchParams hides it). */
function parseUrlencoded(body: Uint8Array): { entries: [string, string, boolean][] } {
  const entries: [string, string, boolean][] = [];
  for (const part of Buffer.from(body).toString('latin1').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = percentDecodeBytes(eq < 0 ? part : part.slice(0, eq));
    const rawValue = percentDecodeBytes(eq < 0 ? '' : part.slice(eq + 1));
    let valid = true;
    const decode = (bytes: Uint8Array) => {
      try {
        return strictUtf8.decode(bytes);
      } catch {
        valid = false;
        return lenientUtf8.decode(bytes);
      }
    };
    entries.push([decode(rawName), decode(rawValue), valid]);
  }
  return { entries };
}

/** A file name safe to store and to send on: letters, digits and . _ - only; the rest becomes _. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 120);
  return cleaned === '' ? 'fil' : cleaned;
}

/** The per-field checks of readForm and readQuery (NUL bytes, invalid UTF-8, length), in one place. */
function fieldCollector(options: Pick<ReadFormOptions, 'maxChars'>, locale: Locale, encoding: FormEncoding | 'query') {
  // No prototype: a field named valueOf or __proto__ is a field like any other, not Object.prototype's (issue 14).
  const fieldErrors = Object.create(null) as Record<string, string[]>;
  const addError = (field: string, message: string) => {
    const list = (fieldErrors[field] ??= []);
    if (!list.includes(message)) list.push(message);
  };
  const form = new FormData();
  const maxChars = (name: string) => options.maxChars?.[name] ?? options.maxChars?.['*'] ?? DEFAULT_MAX_CHARS;
  const addText = (name: string, value: string, validUtf8: boolean) => {
    // A field whose very name is unreadable belongs to no input: report it on the form.
// eslint-disable-next-line no-control-regex -- NUL and control characters are exactly what is refused here
    const field = /[\u0000\uFFFD]/.test(name) || !validUtf8 && name === '' ? '' : name;
    let kept = value;
    // Multipart parsing (web-standard formData) turns invalid UTF-8 into U+FFFD, and so does the web server for a URL
    // (%FF arrives as %EF%BF%BD): that is how it is recognised there.
    if (!validUtf8 || (encoding !== 'urlencoded' && value.includes('\uFFFD'))) addError(field, t('input.encoding', {}, locale));
    if (kept.includes('\u0000')) {
      addError(field, t('input.nul', {}, locale));
// eslint-disable-next-line no-control-regex -- NUL and control characters are exactly what is refused here
      kept = kept.replace(/\u0000/g, '');
    }
    const max = maxChars(name);
    if (kept.length > max) {
      addError(field, t('input.tooLong', { max }, locale));
      kept = kept.slice(0, max);
    }
    if (field !== '') form.append(field, kept);
  };

  return { form, fieldErrors, addText };
}

/**
 * Reads the form of a mutating request (once), checks its CSRF token and every field. Throws a Response for a body
 * that cannot be read (413, 415, 400) or a wrong CSRF token (403); returns field errors for bad values.
 */
export async function readForm(request: Request, context: AppLoadContext, options: ReadFormOptions = {}): Promise<ReadForm> {
  const encoding = options.encoding ?? 'urlencoded';
  const locale = options.locale ?? localeFromRequest(request, null);
  const expected = encoding === 'multipart' ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
  if (contentTypeOf(request) !== expected) throw inputRefusal(415, t('input.wrongType', {}, locale));
  const maxBytes = options.maxBytes ?? (encoding === 'multipart' ? DEFAULT_MAX_MULTIPART_BYTES : DEFAULT_MAX_URLENCODED_BYTES);
  const body = await readBody(request, maxBytes, locale);

  const { form, fieldErrors, addText } = fieldCollector(options, locale, encoding);
  if (encoding === 'urlencoded') {
    for (const [name, value, valid] of parseUrlencoded(body).entries) addText(name, value, valid);
  } else {
    let parsed: FormData;
    try {
      parsed = await new Response(new Uint8Array(body), { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
    } catch {
      throw inputRefusal(400, t('input.malformed', {}, locale));
    }
    for (const [name, value] of parsed.entries()) {
      if (typeof value === 'string') addText(name, value, true);
      else form.append(name, value, safeFileName(value.name));
    }
  }
  if (options.csrf !== false) await verifyCsrf(form, request, context);
  return { form, fieldErrors, ok: Object.keys(fieldErrors).length === 0 };
}

/**
 * The query string of a GET form (a search), checked field by field like readForm: NUL bytes, invalid UTF-8 and
 * overlong values become field errors, so hostile input is a message on the form, never a database error. Only the
 * first value of a repeated name is kept (a GET form here has no multi-value fields).
 */
export function readQuery(request: Request, options: Pick<ReadFormOptions, 'maxChars' | 'locale'> = {}): ReadForm {
  const locale = options.locale ?? localeFromRequest(request, null);
  const { form, fieldErrors, addText } = fieldCollector(options, locale, 'query');
  const search = new URL(request.url).search.slice(1);
  const seen = new Set<string>();
  for (const [name, value, valid] of parseUrlencoded(Buffer.from(search, 'latin1')).entries) {
    if (seen.has(name)) continue;
    seen.add(name);
    addText(name, value, valid);
  }
  return { form, fieldErrors, ok: Object.keys(fieldErrors).length === 0 };
}

/**
 * readForm's result parsed with the form's zod schema (conform). `value` is set only when both the input checks
 * and the schema pass; `reply` carries the input errors too, so the form re-renders with what was typed.
 */
export function parseForm<Schema extends ZodType>(read: ReadForm, schema: Schema) {
  const submission = parseWithZod(read.form, { schema });
  const value = submission.status === 'success' && read.ok ? submission.value : null;
  const reply = (options: { formErrors?: string[]; fieldErrors?: Record<string, string[]>; hideFields?: string[]; resetForm?: boolean } = {}): SubmissionResult<string[]> => {
    const { '': formLevel = [], ...fields } = read.fieldErrors;
    const formErrors = [...formLevel, ...(options.formErrors ?? [])];
    const fieldErrors = { ...fields, ...options.fieldErrors };
    const result = submission.reply({
      ...options,
      formErrors: formErrors.length ? formErrors : undefined,
      fieldErrors: Object.keys(fieldErrors).length ? fieldErrors : undefined,
    } as Parameters<typeof submission.reply>[0]);
    // A forged field of the wrong shape (`files=x` where the schema has a list) would make conform throw while the
    // form re-renders: what was typed is kept only where its shape fits the schema (issue 14).
    if (result.initialValue) result.initialValue = pruneToShape(schema, result.initialValue) as typeof result.initialValue;
    return result;
  };
  return { submission, value, reply };
}

interface ZodDefLike {
  _zod?: { def: { type?: string; shape?: Record<string, unknown>; element?: unknown; options?: unknown[]; innerType?: unknown; in?: unknown } };
}

/** The object or array schemas a value may have to match (through optional, default, pipe and unions). */
function shapesOf(schema: unknown, depth = 0): { objects: Record<string, unknown>[]; arrays: unknown[]; other: boolean } {
  const def = (schema as ZodDefLike | undefined)?._zod?.def;
  const out = { objects: [] as Record<string, unknown>[], arrays: [] as unknown[], other: false };
  if (!def || depth > 20) return { ...out, other: true };
  if (def.type === 'object' && def.shape) out.objects.push(def.shape);
  else if (def.type === 'array') out.arrays.push(def.element);
  else if (def.type === 'union' && def.options) {
    for (const o of def.options) {
      const sub = shapesOf(o, depth + 1);
      out.objects.push(...sub.objects);
      out.arrays.push(...sub.arrays);
      out.other ||= sub.other;
    }
  } else if (def.innerType || def.in) return shapesOf(def.innerType ?? def.in, depth + 1);
  else out.other = true;
  return out;
}

/** `value` with every part whose shape (list, fieldset, text) the schema cannot have removed. */
function pruneToShape(schema: unknown, value: unknown, depth = 0): unknown {
  if (depth > 20) return undefined;
  const { objects, arrays, other } = shapesOf(schema);
  if (Array.isArray(value)) {
    if (arrays.length === 0) return undefined;
    return value.map((item) => pruneToShape(arrays[0], item, depth + 1));
  }
  if (value !== null && typeof value === 'object') {
    if (objects.length === 0) return undefined;
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) {
      const field = objects.find((shape) => Object.hasOwn(shape, k))?.[k];
      if (field === undefined) continue;
      const kept = pruneToShape(field, v, depth + 1);
      if (kept !== undefined) out[k] = kept;
    }
    return { ...out };
  }
  // One text where a list of texts belongs is how a single checked box arrives: kept. Where a list of fieldsets or a
  // fieldset belongs, a text is forged and would break the form.
  return other || arrays.some((element) => shapesOf(element).other) ? value : undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}

/** A route parameter that must be a positive integer id (a bigserial, e.g. a register record): anything else is a 404. */
export function parseSerialParam(params: Record<string, string | undefined>, name = 'id'): number {
  const value = params[name];
  const n = typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new Response('Not found', { status: 404, statusText: 'Not Found' });
  return n;
}

/** A route parameter that must be a record id: anything else is a 404 (it names no page), never a database error. */
export function parseIdParam(params: Record<string, string | undefined>, name = 'id'): string {
  const value = params[name];
  if (!isUuid(value)) throw new Response('Not found', { status: 404, statusText: 'Not Found' });
  return value.toLowerCase();
}

/** A JSON body that could not be taken: the status, a stable code, a message and, when one value is at fault, its field. */
export class JsonInputError extends Error {
  override readonly name = 'JsonInputError';
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: 'too_large' | 'wrong_content_type' | 'bad_encoding' | 'bad_json' | 'bad_characters',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;

/** The first string in a parsed JSON value holding a NUL (or another C0 control but tab/newline), with its path. */
function controlCharacterPath(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex -- NUL and control characters are exactly what is refused here
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value) ? path.join('.') || '(body)' : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = controlCharacterPath(value[i], [...path, String(i)]);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyHit = controlCharacterPath(k, [...path, '(key)']);
      if (keyHit) return keyHit;
      const hit = controlCharacterPath(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * The JSON body of an API request, read once like readForm: `application/json` only (415), at most `maxBytes` (413),
 * strict UTF-8 and valid JSON (400), no NUL or control characters in any string (400 naming the field). Throws
 * JsonInputError; the value's shape is for the caller's zod schema.
 */
export async function readJson(request: Request, options: { maxBytes?: number; locale?: Locale } = {}): Promise<unknown> {
  const locale = options.locale ?? 'sv';
  if (contentTypeOf(request) !== 'application/json') throw new JsonInputError(415, 'wrong_content_type', t('api.input.wrongType', {}, locale));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  let body: Buffer;
  try {
    body = await readBody(request, maxBytes, locale);
  } catch (e) {
    if (e instanceof Response) throw new JsonInputError(413, 'too_large', t('api.input.tooLarge', { max: Math.ceil(maxBytes / 1024) }, locale));
    throw e;
  }
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new JsonInputError(400, 'bad_encoding', t('input.encoding', {}, locale));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JsonInputError(400, 'bad_json', t('api.input.badJson', {}, locale));
  }
  const bad = controlCharacterPath(value);
  if (bad) throw new JsonInputError(400, 'bad_characters', t('input.nul', {}, locale), bad);
  return value;
}

/**
 * The raw body of an upload (POST /api/v1/media): an image or video content type (415 otherwise), at most `maxBytes`
 * (413). What the bytes really are is decided from the bytes by the caller, never from the header.
 */
export async function readUpload(request: Request, options: { maxBytes: number; locale?: Locale }): Promise<Buffer> {
  const locale = options.locale ?? 'sv';
  const type = contentTypeOf(request);
  if (!/^(image|video)\/[a-z0-9.+-]+$/.test(type)) throw new JsonInputError(415, 'wrong_content_type', t('input.badMedia', {}, locale));
  try {
    return await readBody(request, options.maxBytes, locale);
  } catch (e) {
    if (e instanceof Response) throw new JsonInputError(413, 'too_large', t('api.input.tooLarge', { max: Math.ceil(options.maxBytes / 1024) }, locale));
    throw e;
  }
}
