import type { InputHTMLAttributes, ReactNode } from 'react';
import { useT } from '../utils/i18n';
import type { MessageKey } from '../../common/i18n';

/** Errors are catalogue keys (from zod schemas) or finished sentences (from the server); shows both. */
/** The ticked values of a checkbox group as conform hands them back: one ticked box is a string, several an array. */
export function checkedValues(value: unknown): Set<string> {
  if (typeof value === 'string') return new Set([value]);
  return new Set(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
}

export function translateAll(errors: string[] | undefined, tr: ReturnType<typeof useT>, field: string): string[] {
  return (errors ?? []).map((e) => (e.includes('.') && !e.includes(' ') ? tr(e as MessageKey, { field }) : e));
}

/** A labelled input with its errors announced and linked (WCAG 3.3.1, 1.3.1). */
export function Field(props: {
  id: string;
  label: string;
  errors?: string[];
  hint?: ReactNode;
  inputProps: InputHTMLAttributes<HTMLInputElement>;
}) {
  const tr = useT();
  const errors = translateAll(props.errors, tr, props.label.toLowerCase());
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const describedBy = [props.hint ? hintId : null, errors.length ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.hint ? (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      ) : null}
      <input id={props.id} {...props.inputProps} aria-invalid={errors.length ? true : undefined} aria-describedby={describedBy} />
      {errors.length ? (
        <ul id={errorId} className="field-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function FormMessage({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="form-message">
      {message}
    </p>
  );
}
