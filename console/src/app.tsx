// The shell: sign-in, the header (who is signed in, the zone, SANDBOX), navigation and the screens.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError, forgetToken, rememberedToken, rememberToken, type Whoami } from './api';
import { Link } from './components/link';
import { SessionContext } from './context';
import { match, navigate, useLocation } from './router';
import { can } from './scopes';
import { AuditScreen } from './screens/audit';
import { CertificatesScreen } from './screens/certificates';
import { DomesticScreen, EnterpriseScreen } from './screens/domestic';
import { ExchangeScreen } from './screens/exchange';
import { ExchangesScreen } from './screens/exchanges';
import { LookupScreen } from './screens/lookup';
import { OutboundBatchScreen, OutboundScreen } from './screens/outbound';
import { OverviewScreen } from './screens/overview';
import { PartnerScreen } from './screens/partner';
import { AgreementScreen, RegistryScreen } from './screens/registry';
import { isSandbox, serverZone } from './settings';

interface Signed {
  token: string;
  who: Whoami;
}

const ZONES = (server: string): string[] => [...new Set([server, 'UTC', Intl.DateTimeFormat().resolvedOptions().timeZone])];

export function App() {
  const [signed, setSigned] = useState<Signed | null>(null);
  const [zone, setZone] = useState(serverZone());
  const [restoring, setRestoring] = useState(() => rememberedToken() !== null);
  const signOut = (): void => {
    forgetToken();
    setSigned(null);
  };

  useEffect(() => {
    const token = rememberedToken();
    if (token === null) return;
    identify(token).then(
      (who) => {
        setSigned({ token, who });
        setRestoring(false);
      },
      () => {
        forgetToken();
        setRestoring(false);
      },
    );
  }, []);
  if (restoring) return <p class="muted">Signing in…</p>;
  if (!signed) return <SignIn onSignedIn={(s, remember) => (remember && rememberToken(s.token), setSigned(s))} />;
  return <Console signed={signed} zone={zone} setZone={setZone} signOut={signOut} />;
}

async function identify(token: string): Promise<Whoami> {
  let unauthorized = false;
  const api = new Api(token, () => (unauthorized = true));
  try {
    return await api.get<Whoami>('/admin/whoami');
  } catch (e) {
    if (unauthorized) throw new ApiError(401, 'UNAUTHENTICATED', 'This token is not valid.');
    throw e;
  }
}

function SandboxBanner() {
  return isSandbox() ? (
    <div class="sandbox-banner" role="note">
      SANDBOX — simulated partners and generated keys; nothing here is real customs data.
    </div>
  ) : null;
}

function SignIn({ onSignedIn }: { onSignedIn: (s: Signed, remember: boolean) => void }) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const t = token.trim();
      onSignedIn({ token: t, who: await identify(t) }, remember);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <SandboxBanner />
      <main class="signin">
        <h1>AEO gateway console</h1>
        <form onSubmit={(e) => void submit(e)}>
          <label for="token">API token</label>
          <input
            id="token"
            type="password"
            autocomplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            required
          />
          <label class="check">
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> Remember in this tab
          </label>
          <button type="submit" disabled={busy || token.trim() === ''}>
            Sign in
          </button>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </form>
        <p class="muted">The token is kept in this page's memory only (or this tab, if you tick the box), and sent only to this gateway.</p>
      </main>
    </>
  );
}

const NAV: { to: string; label: string; needs: 'read' | 'lookup' }[] = [
  { to: '/', label: 'Overview', needs: 'read' },
  { to: '/exchanges', label: 'Exchanges', needs: 'read' },
  { to: '/lookup', label: 'Lookup', needs: 'lookup' },
  { to: '/registry', label: 'Registry', needs: 'lookup' },
  { to: '/outbound', label: 'Outbound', needs: 'read' },
  { to: '/domestic', label: 'Domestic register', needs: 'read' },
  { to: '/certificates', label: 'Certificates', needs: 'read' },
  { to: '/audit', label: 'Audit log', needs: 'read' },
];

const mayLookup = (scopes: readonly string[]): boolean => scopes.includes('lookup') || can(scopes, 'read');

function Console({ signed, zone, setZone, signOut }: { signed: Signed; zone: string; setZone: (z: string) => void; signOut: () => void }) {
  const loc = useLocation();
  const api = useMemo(() => new Api(signed.token, signOut), [signed.token]);
  const session = useMemo(() => ({ api, who: signed.who, zone }), [api, signed.who, zone]);
  const scopes = signed.who.scopes;
  const nav = NAV.filter((n) => (n.needs === 'read' ? can(scopes, 'read') : mayLookup(scopes)));
  const active = (to: string): boolean => (to === '/' ? loc.path === '/' : loc.path.startsWith(to));
  return (
    <SessionContext.Provider value={session}>
      <SandboxBanner />
      <header class="top">
        <span class="brand">AEO gateway</span>
        <nav aria-label="Screens">
          {nav.map((n) => (
            <Link to={n.to} class={active(n.to) ? 'active' : ''} key={n.to}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span class="who">
          <label>
            Times in{' '}
            <select value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
              {ZONES(serverZone()).map((z) => (
                <option value={z} key={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
          <span class="token-name" title="Signed in as">
            {signed.who.name}
          </span>
          <span class="muted">({scopes.join(', ')})</span>
          <button
            type="button"
            class="link"
            onClick={() => {
              signOut();
              navigate('/', true);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Screen path={loc.path} search={loc.search} scopes={scopes} />
      </main>
    </SessionContext.Provider>
  );
}

function Screen({ path, search, scopes }: { path: string; search: string; scopes: readonly string[] }) {
  let m: Record<string, string> | null;
  if (!can(scopes, 'read') && !path.startsWith('/lookup') && !path.startsWith('/registry')) {
    return mayLookup(scopes) ? <LookupScreen search={search} /> : <p>This token may not read operations data.</p>;
  }
  if (path === '/') return <OverviewScreen />;
  if ((m = match('/partners/:code', path))) return <PartnerScreen code={m.code!} />;
  if (path === '/exchanges') return <ExchangesScreen search={search} />;
  if ((m = match('/exchanges/:id', path))) return <ExchangeScreen id={m.id!} />;
  if (path === '/lookup') return <LookupScreen search={search} />;
  if (path === '/registry') return <RegistryScreen />;
  if ((m = match('/registry/:id', path))) return <AgreementScreen id={m.id!} />;
  if (path === '/outbound') return <OutboundScreen search={search} />;
  if ((m = match('/outbound/:id', path))) return <OutboundBatchScreen id={m.id!} />;
  if (path === '/domestic') return <DomesticScreen search={search} />;
  if ((m = match('/domestic/:code', path))) return <EnterpriseScreen code={m.code!} />;
  if (path === '/certificates') return <CertificatesScreen />;
  if (path === '/audit') return <AuditScreen search={search} />;
  return (
    <p>
      No such screen. <Link to="/">Back to the overview</Link>
    </p>
  );
}
