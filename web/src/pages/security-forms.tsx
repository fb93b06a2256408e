import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api.js';
import { Field, FormError, messageOf } from './form-bits.js';

/** Field errors from a refusal: the server names the field; anything else is for the whole form. */
function split(err: unknown, fields: readonly string[]): { field: Record<string, string>; form: string | null } {
  if (err instanceof ApiError && err.field !== null && fields.includes(err.field)) {
    return { field: { [err.field]: err.message }, form: null };
  }
  return { field: {}, form: messageOf(err) };
}

/** A disclosure: the button, then the form with its heading focused (so it is announced and typed into). */
function Disclosure({
  label,
  title,
  children,
  danger,
}: {
  label: string;
  title: string;
  danger?: boolean;
  children: (close: () => void) => React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);
  if (!open)
    return (
      <button
        ref={opener}
        type="button"
        className={danger === true ? 'secondary danger-outline' : 'secondary'}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
    );
  return (
    <div className="security-form">
      <h3 ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {children(() => setOpen(false))}
    </div>
  );
}

/** An action that needs an authenticator (or recovery) code: new recovery codes, 2FA off. */
export function CodeAction({
  label,
  title,
  explain,
  confirm,
  path,
  danger,
  onDone,
}: {
  label: string;
  title: string;
  explain: React.ReactNode;
  confirm: string;
  path: string;
  danger?: boolean;
  onDone: (result: unknown) => Promise<void> | void;
}) {
  return (
    <Disclosure label={label} title={title} danger={danger}>
      {(close) => (
        <CodeForm explain={explain} confirm={confirm} path={path} danger={danger} onDone={onDone} close={close} />
      )}
    </Disclosure>
  );
}

function CodeForm(props: {
  explain: React.ReactNode;
  confirm: string;
  path: string;
  danger?: boolean | undefined;
  onDone: (result: unknown) => Promise<void> | void;
  close: () => void;
}) {
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<{ field: Record<string, string>; form: string | null }>({
    field: {},
    form: null,
  });
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ field: {}, form: null });
    try {
      const result = await api<unknown>('POST', props.path, { code });
      await props.onDone(result);
    } catch (err) {
      setErrors(split(err, ['code']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      {props.explain}
      <Field
        label="Authenticator code or recovery code"
        value={code}
        onChange={setCode}
        autoComplete="one-time-code"
        error={errors.field['code'] ?? null}
        hint="The 6-digit code your app shows now, or one of your recovery codes."
      />
      <FormError message={errors.form} />
      <div className="actions">
        <button type="submit" className={props.danger === true ? 'danger' : undefined} disabled={busy}>
          {props.confirm}
        </button>
        <button type="button" className="secondary" onClick={props.close}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Password change: the current password, the new one twice, and a code when 2FA is on. */
export function ChangePassword({ totpEnabled, onChanged }: { totpEnabled: boolean; onChanged: () => Promise<void> }) {
  return (
    <Disclosure label="Change password" title="Change password">
      {(close) => <PasswordForm totpEnabled={totpEnabled} onChanged={onChanged} close={close} />}
    </Disclosure>
  );
}

function PasswordForm({
  totpEnabled,
  onChanged,
  close,
}: {
  totpEnabled: boolean;
  onChanged: () => Promise<void>;
  close: () => void;
}) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [again, setAgain] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<{ field: Record<string, string>; form: string | null }>({
    field: {},
    form: null,
  });
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    // Checked here first: a typo in the new password costs no attempt and no authenticator code.
    const field: Record<string, string> = {};
    if (currentPassword === '') field['currentPassword'] = 'Enter your current password.';
    if (newPassword.length < 12) field['newPassword'] = 'The new password needs at least 12 characters.';
    else if (again !== newPassword) field['again'] = 'The two new passwords are not the same.';
    if (totpEnabled && code.trim() === '') field['code'] = 'Enter the code from your authenticator app.';
    if (Object.keys(field).length > 0) return setErrors({ field, form: null });
    setBusy(true);
    setErrors({ field: {}, form: null });
    try {
      await api('POST', '/security/password', { currentPassword, newPassword, ...(totpEnabled ? { code } : {}) });
      await onChanged();
      close();
    } catch (err) {
      setErrors(split(err, ['currentPassword', 'newPassword', 'code']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <p className="hint">You stay logged in here; every other browser or device is logged out.</p>
      <Field
        label="Current password"
        type="password"
        value={currentPassword}
        onChange={setCurrent}
        autoComplete="current-password"
        error={errors.field['currentPassword'] ?? null}
      />
      <Field
        label="New password"
        type="password"
        value={newPassword}
        onChange={setNew}
        autoComplete="new-password"
        hint="At least 12 characters."
        error={errors.field['newPassword'] ?? null}
      />
      <Field
        label="New password again"
        type="password"
        value={again}
        onChange={setAgain}
        autoComplete="new-password"
        error={errors.field['again'] ?? null}
      />
      {totpEnabled && (
        <Field
          label="Authenticator code or recovery code"
          value={code}
          onChange={setCode}
          autoComplete="one-time-code"
          error={errors.field['code'] ?? null}
        />
      )}
      <FormError message={errors.form} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Save new password
        </button>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
