import { useId } from 'react';
import { ApiError } from '../api.js';
import { plainSentence, sentenceFor } from '../rule-messages.js';

/** A labelled input with its error message tied to it for screen readers. */
export function Field(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: string;
  autoComplete?: string;
  error?: string | null;
  hint?: React.ReactNode;
  inputMode?: 'numeric' | 'text';
  autoFocus?: boolean;
  maxLength?: number;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const described = [props.hint !== undefined ? hintId : '', props.error ? errId : '']
    .filter((x) => x !== '')
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        // biome-ignore lint/a11y/noAutofocus: only the authenticator-code step asks for it, right after the user's own click.
        autoFocus={props.autoFocus}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described === '' ? undefined : described}
      />
      {props.hint !== undefined && (
        <div id={hintId} className="hint">
          {props.hint}
        </div>
      )}
      {props.error ? (
        <div id={errId} className="error" role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** The authenticator-code input of every 2FA step: numeric, filled by one-time-code autofill. */
export function CodeField(props: Omit<Parameters<typeof Field>[0], 'label' | 'inputMode' | 'autoComplete'>) {
  return <Field label="Authenticator code" inputMode="numeric" autoComplete="one-time-code" {...props} />;
}

/** The server's refusal as a sentence for people (the wire message without its field prefix), or a generic one for faults. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return sentenceFor({ code: err.code, field: err.field, message: err.message });
  return err instanceof Error ? plainSentence(err.message) : 'Something went wrong.';
}

export function FormError({ message }: { message: string | null }) {
  return message ? (
    <p className="error" role="alert">
      {message}
    </p>
  ) : null;
}
