import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, Whoami } from './api';

export interface Session {
  api: Api;
  who: Whoami;
  /** The zone instants are shown in (AEO_TIMEZONE unless the user picked another). */
  zone: string;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}
