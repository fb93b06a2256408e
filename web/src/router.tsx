import { useCallback, useEffect, useState } from 'react';

export type Navigate = (path: string, options?: { replace?: boolean }) => void;

/**
 * A tiny router over history.pushState: the server answers every page path with this app. The
 * path is the pathname only; a query (`/login?next=…`) stays in the address bar for the page.
 */
export function usePath(): [string, Navigate] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback<Navigate>((to, options) => {
    if (options?.replace === true) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setPath(new URL(to, window.location.origin).pathname);
    window.scrollTo(0, 0);
  }, []);
  return [path, navigate];
}

/**
 * Where to go after logging in: `?next=` when it is a page of this console on this origin (never
 * another site, never `//host` or `/\host`, which browsers read as another origin).
 */
export function returnTo(search: string): string | null {
  const raw = new URLSearchParams(search).get('next');
  if (raw === null || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  let url: URL;
  try {
    url = new URL(raw, window.location.origin);
  } catch {
    return null;
  }
  if (url.origin !== window.location.origin || !url.pathname.startsWith('/account/')) return null;
  return url.pathname + url.search + url.hash;
}

export function Link({
  to,
  navigate,
  children,
  className,
}: {
  to: string;
  navigate: Navigate;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <a
      href={to}
      className={className}
      onClick={(e) => {
        // A modified click (new tab, new window) is the browser's business.
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
