import { useEffect, useRef, useState } from 'react';
import { downloadText, useCopy } from './copy-text.js';
import './recovery.css';

/**
 * Freshly made recovery codes, shown once: copy, download, and an "I have saved them" step
 * before Done. Each code stays on one line (no break at the hyphen), also at phone width.
 */
export function RecoveryCodes({ codes, email, onDone }: { codes: string[]; email: string; onDone: () => void }) {
  const listRef = useRef<HTMLUListElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { copy, message } = useCopy(listRef);
  const [saved, setSaved] = useState(false);
  const text = `signet recovery codes for ${email}\nEach works once in place of an authenticator code.\n\n${codes.join('\n')}\n`;
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <section className="notice recovery" aria-labelledby="recovery-heading">
      <h3 id="recovery-heading" ref={headingRef} tabIndex={-1}>
        Your recovery codes
      </h3>
      <p>
        Save these codes somewhere safe, away from your phone. If you lose your authenticator, log in with one of them
        instead of a code. Each works once. They will not be shown again.
      </p>
      <ul className="recovery-codes" data-testid="recovery-codes" ref={listRef}>
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void copy(codes.join('\n'))}>
          Copy codes
        </button>
        <button type="button" className="secondary" onClick={() => downloadText('signet-recovery-codes.txt', text)}>
          Download as file
        </button>
      </div>
      {message !== null && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} /> I have saved my recovery
        codes
      </label>
      <button type="button" disabled={!saved} onClick={onDone}>
        Done
      </button>
    </section>
  );
}
