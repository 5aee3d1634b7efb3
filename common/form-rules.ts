/** Small rules several forms share (templates, crisis messages): pure, client-safe. */
import type { z } from 'zod';

/** True when the text holds a control character (a NUL, a line break, an escape). */
export function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A zod error as the forms show it: the first path segment → its messages (message keys). */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    (fieldErrors[field] ??= []).push(issue.message);
  }
  return fieldErrors;
}
