import { useRef, useState } from 'react';

const COPY_HINT = 'Selected. Press Ctrl+C / ⌘C to copy.';

/** Selects the whole text of `el`, as a triple-click would, for copying by keyboard. */
function selectContents(el: HTMLElement): void {
  const selection = window.getSelection();
  if (selection === null) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Copies `text`: with the clipboard API where the page may use it (a secure context: https or
 * localhost); elsewhere (http://server:8080) it selects the text and says how to copy it.
 */
export function useCopy(text: string) {
  const target = useRef<HTMLElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const copy = async () => {
    if (window.isSecureContext && navigator.clipboard !== undefined) {
      try {
        await navigator.clipboard.writeText(text);
        setNote('Copied.');
        return;
      } catch {
        // Refused (permissions, focus): fall back to the selection below.
      }
    }
    if (target.current !== null) selectContents(target.current);
    setNote(COPY_HINT);
  };
  return { target, note, copy };
}

/**
 * A value shown for copying: the text in its own block (a triple-click selects it alone), the Copy
 * button outside it and not selectable, and a status line saying what happened.
 */
export function CopyValue({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const { target, note, copy } = useCopy(value);
  return (
    <div className="copy-value">
      <div className="copy-text">
        <code ref={target} data-testid={testId}>
          {value}
        </code>
      </div>
      <div className="copy-tools">
        <button type="button" className="secondary small" onClick={() => void copy()} aria-label={label}>
          Copy
        </button>
        <span className="copy-note" role="status" aria-live="polite">
          {note}
        </span>
      </div>
    </div>
  );
}

/** Offers `text` as a file download named `filename` (made in the browser; nothing is sent). */
export function downloadText(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Under an API key's secret shown once (at creation, after a roll): "Download as file" (`file`, named
 * after the key's label), then "I have saved the secret key", which Done waits for.
 */
export function SavedSecretActions({ keyLabel, file, onDone }: { keyLabel: string; file: string; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => downloadText(`signet-api-key-${keyLabel.replace(/\s+/g, '-')}.txt`, file)}
        >
          Download as file
        </button>
      </div>
      <label className="check">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} /> I have saved the secret
        key
      </label>
      <div className="actions">
        <button type="button" onClick={onDone} disabled={!saved}>
          Done
        </button>
      </div>
    </>
  );
}
