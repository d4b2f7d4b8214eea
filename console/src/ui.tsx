// Small pieces every page uses. Everything shown is a React text node or attribute: nothing from
// the gateway or a sender is ever inserted as HTML.
import { type ReactNode, useCallback, useEffect, useId, useState } from 'react';
import { ApiError } from './api.ts';
import { BASE, navigate } from './router.ts';

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={BASE + to}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
}

/** Runs `load` when `key` changes (and on reload()); the latest answer wins. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error }>({});
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then((data) => current && setState({ data }), (error: Error) => current && setState({ error }));
    return () => {
      current = false;
    };
  }, [key, round]);
  return { data: state.data, error: state.error, reload: useCallback(() => setRound((r) => r + 1), []) };
}

/** The message of an API error that names `field` (or a path inside it, such as inputs.0.path). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  return error.field === field || error.field.startsWith(`${field}.`) ? error.message : undefined;
}

/** An error not shown beside a field of `fields`. */
export function formError(error: unknown, fields: string[]): string | undefined {
  if (!error) return undefined;
  if (error instanceof ApiError && error.field && fields.some((f) => fieldError(error, f))) return undefined;
  return (error as Error).message;
}

export function ErrorText({ error }: { error: string | undefined }) {
  return error ? <p className="error" role="alert">{error}</p> : null;
}

interface FieldProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  type?: string;
  multiline?: boolean;
  required?: boolean;
  placeholder?: string;
}

export function Field({ label, value, onChange, error, hint, type = 'text', multiline, required, placeholder }: FieldProps) {
  const id = useId();
  const common = {
    id, value, required, placeholder, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? `${id}-error` : undefined,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={5} spellCheck={false} {...common} /> : <input type={type} {...common} />}
      {hint ? <small className="hint">{hint}</small> : null}
      {error ? <small className="error" id={`${id}-error`}>{error}</small> : null}
    </div>
  );
}

export function Select<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: readonly T[]; onChange: (v: T) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </div>
  );
}

export function Checkbox({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState<string>();
  return (
    <button
      type="button"
      className="secondary"
      onClick={() => navigator.clipboard.writeText(value).then(() => setDone('Copied'), () => setDone('Copy failed: select the text and copy it'))}
    >
      {label}
      {done ? <span className="copied" role="status"> — {done}</span> : null}
    </button>
  );
}

/** A value shown once (a secret, a link): selectable text and a copy button. */
export function ShownOnce({ label, value, copyLabel }: { label: string; value: string; copyLabel: string }) {
  const id = useId();
  return (
    <div className="shown-once">
      <span id={id} className="label">{label}</span>
      <code aria-labelledby={id} className="value">{value}</code>
      <CopyButton value={value} label={copyLabel} />
    </div>
  );
}

/** A destructive action asks first: the button, then "Yes, …" and "Cancel". */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, danger = true }: { label: string; question: string; confirmLabel: string; onConfirm: () => Promise<void>; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string>();
  if (!asking) return <button type="button" className={danger ? 'danger' : 'secondary'} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <div className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" className={danger ? 'danger' : ''} onClick={() => onConfirm().then(() => setAsking(false), (e: Error) => setError(e.message))}>{confirmLabel}</button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>Cancel</button>
      <ErrorText error={error} />
    </div>
  );
}

export function when(date: string | null | undefined): string {
  return date ? new Date(date).toLocaleString() : '—';
}

/** JSON as indented text, for <pre>. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
