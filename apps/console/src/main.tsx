import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { signIn, signOut, storedKey, type Session } from './session.js';
import { ErrorNote, SessionContext } from './ui.js';
import { Overview } from './pages/overview.js';
import { Accounts } from './pages/accounts.js';
import { AccountPage } from './pages/account.js';
import { Transactions, TransactionPage } from './pages/transactions.js';
import { Holds } from './pages/holds.js';
import { Intents, IntentPage } from './pages/intents.js';
import { Webhooks } from './pages/webhooks.js';
import { Audit } from './pages/audit.js';
import { Reconciliation } from './pages/reconciliation.js';
import { Policies } from './pages/policies.js';
import { RequestView } from './pages/request.js';
import './styles.css';

/** The navigation, in the order and with the names of the API contract's "Console" section. */
const NAV = [
  ['Overview', '/console'],
  ['Accounts', '/console/accounts'],
  ['Transactions', '/console/transactions'],
  ['Holds', '/console/holds'],
  ['Intents', '/console/intents'],
  ['Webhooks', '/console/webhooks'],
  ['Audit', '/console/audit'],
  ['Reconciliation', '/console/reconciliation'],
  ['Policies', '/console/policies'],
  ['Request trace', '/console/trace'],
] as const;

function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={submit}>
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true">Z</span> Zentra Ledger
        </div>
        <h1>Operator console</h1>
        <p class="muted">Sign in with one of your tenant's API keys. It stays in this tab only and is forgotten when the tab closes.</p>
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} required />
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
        <ErrorNote error={error} plain />
      </form>
    </main>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { path } = useLocation();
  const current = (href: string) => (href === '/console' ? path === '/console' || path === '/console/' : path.startsWith(href));
  return (
    <SessionContext.Provider value={session}>
      <div class="shell">
        <aside class="sidebar">
          <div class="brand">
            <span class="brand-mark" aria-hidden="true">Z</span> Zentra Ledger
          </div>
          <nav aria-label="Console">
            <ul>
              {NAV.map(([label, href]) => (
                <li key={href}>
                  <a href={href} aria-current={current(href) ? 'page' : undefined}>
                    {label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="whoami">
            <div>
              Role <strong data-testid="role">{session.role}</strong>
            </div>
            <div class="muted mono">tenant {session.tenantId.slice(0, 8)}</div>
            <button type="button" class="ghost" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </aside>
        <main class="content">
          <Router>
            <Route path="/console" component={Overview} />
            <Route path="/console/accounts" component={Accounts} />
            <Route path="/console/accounts/:id" component={AccountPage} />
            <Route path="/console/transactions" component={Transactions} />
            <Route path="/console/transactions/:id" component={TransactionPage} />
            <Route path="/console/holds" component={Holds} />
            <Route path="/console/intents" component={Intents} />
            <Route path="/console/intents/:id" component={IntentPage} />
            <Route path="/console/webhooks" component={Webhooks} />
            <Route path="/console/audit" component={Audit} />
            <Route path="/console/reconciliation" component={Reconciliation} />
            <Route path="/console/policies" component={Policies} />
            <Route path="/console/trace" component={RequestView} />
            <Route default component={Overview} />
          </Router>
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(storedKey() !== null);
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key).then(setSession, () => signOut()).finally(() => setRestoring(false));
  }, []);
  if (restoring) return <p class="muted center">Signing in…</p>;
  if (!session) return <SignIn onSignedIn={setSession} />;
  return (
    <LocationProvider>
      <Shell
        session={session}
        onSignOut={() => {
          signOut();
          setSession(null);
        }}
      />
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
