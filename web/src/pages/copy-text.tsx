import { useRef, useState } from 'react';

/**
 * Copies text; outside a secure context (plain http to a self-hosted server) the clipboard API is
 * missing, so the text is selected instead and the person is told to press Ctrl+C.
 */
export function useCopy(target: React.RefObject<HTMLElement | null>) {
  const [message, setMessage] = useState<string | null>(null);
  const copy = async (text: string) => {
    try {
      if (navigator.clipboard === undefined) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setMessage('Copied.');
    } catch {
      const el = target.current;
      const selection = window.getSelection();
      if (el !== null && selection !== null) {
        const range = document.createRange();
        range.selectNodeContents(el);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setMessage('Copying is blocked here; the text is selected: press Ctrl+C (⌘C on a Mac).');
    }
  };
  return { copy, message };
}

/** Offers `text` as a file download named `name` (made in the browser; nothing is sent). */
export function downloadText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** The authenticator's setup key in groups of four, with Copy (copies it without spaces) and the otpauth:// link. */
export function SetupKey({ secret, uri }: { secret: string; uri: string }) {
  const ref = useRef<HTMLElement>(null);
  const { copy, message } = useCopy(ref);
  const groups = secret.match(/.{1,4}/g) ?? [secret];
  return (
    <div className="setup-key">
      <p>
        Setup key{' '}
        <code ref={ref} className="secret grouped" data-testid="totp-secret">
          {groups.map((g, i) => (
            // Groups are spaced by CSS, so the key copies and selects without spaces.
            // biome-ignore lint/suspicious/noArrayIndexKey: groups of one fixed string, never reordered.
            <span key={i}>{g}</span>
          ))}
        </code>
      </p>
      <div className="actions">
        <button type="button" className="secondary small" onClick={() => void copy(secret)}>
          Copy setup key
        </button>
        <a className="button-link" href={uri}>
          Open in an authenticator app on this device
        </a>
      </div>
      {message !== null && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
