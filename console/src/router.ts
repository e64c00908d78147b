// A tiny history router under /console/: screens are paths, filters are the query string.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export interface Location {
  path: string; // below /console, e.g. "/exchanges/123"
  search: string; // "?partner=EU"
}

function current(): Location {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) || '/' : '/';
  return { path, search: window.location.search };
}

export function navigate(to: string, replace = false): void {
  const url = to.startsWith(BASE) ? to : BASE + to;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('aeo-navigate'));
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = (): void => setLoc(current());
    window.addEventListener('popstate', update);
    window.addEventListener('aeo-navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('aeo-navigate', update);
    };
  }, []);
  return loc;
}

/** Matches "/exchanges/:id" against a path; the params, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return null;
  }
  return params;
}
