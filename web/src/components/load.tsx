import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';

/** What a view that loads data shows: loading, a failure with Retry, or the data. */
export type LoadStatus<T> = { status: 'loading' } | { status: 'error'; error: string } | { status: 'ready'; data: T };

export interface Loaded<T> {
  state: LoadStatus<T>;
  /** The data, only once loaded (null while loading or after a failure: never stale counts). */
  data: T | null;
  /** Shows "loading" and asks again (the Retry button). */
  retry: () => void;
  /** Asks again keeping the current data on screen until the answer (after a change the page made). */
  reload: () => Promise<void>;
}

/** Why a load failed, in words for people (the server's own message when it refused on purpose). */
export function loadFailure(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'The server could not be reached. Check your connection, then retry.';
    if (err.status === 401) return 'Your session has ended. Log in again to continue.';
    if (err.status === 429) return 'Too many requests just now. Wait a moment, then retry.';
    if (err.status >= 500) return 'The server had a problem answering. Try again in a moment.';
    return err.message;
  }
  return 'Something went wrong. Try again in a moment.';
}

/**
 * Loads once on mount and again whenever `key` changes. Answers to an older request than the
 * latest are dropped, so a slow first answer never overwrites a newer one.
 */
export function useLoad<T>(fetcher: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<LoadStatus<T>>({ status: 'loading' });
  const latest = useRef(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  const run = useCallback(async (showLoading: boolean) => {
    const ticket = ++latest.current;
    if (showLoading) setState({ status: 'loading' });
    try {
      const data = await fetcherRef.current();
      if (ticket === latest.current) setState({ status: 'ready', data });
    } catch (err) {
      if (ticket === latest.current) setState({ status: 'error', error: loadFailure(err) });
    }
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the signal to load again.
  useEffect(() => {
    void run(false);
  }, [key, run]);

  return {
    state,
    data: state.status === 'ready' ? state.data : null,
    retry: useCallback(() => void run(true), [run]),
    reload: useCallback(() => run(false), [run]),
  };
}

/**
 * Renders a load: "Loading WHAT…", or "Could not load WHAT." with the reason and a Retry button,
 * or `children(data)`.
 */
export function LoadState<T>({
  load,
  what,
  children,
}: {
  load: Loaded<T>;
  what: string;
  children: (data: T) => React.ReactNode;
}) {
  const { state } = load;
  if (state.status === 'loading')
    return (
      <p className="loading" role="status" data-testid="loading">
        Loading {what}…
      </p>
    );
  if (state.status === 'error') return <LoadError what={what} error={state.error} retry={load.retry} />;
  return <>{children(state.data)}</>;
}

export function LoadError({ what, error, retry }: { what: string; error: string; retry: () => void }) {
  return (
    <div className="load-error" role="alert" data-testid="load-error">
      <p>
        <strong>Could not load {what}.</strong> {error}
      </p>
      <button type="button" className="secondary" onClick={retry}>
        Retry
      </button>
    </div>
  );
}
