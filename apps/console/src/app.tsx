// The console shell: who is signed in, the navigation for their role, and the page the hash
// route names. Mobile operators get only their broadcasts and runs.
import { useEffect, useState } from 'react';
import { api, ApiError, setCsrfToken, type Me } from './api.js';
import { ErrorText } from './components.js';
import { href, useRoute } from './router.js';
import { BotsPage, BotSetupPage } from './pages/bots.js';
import { BroadcastEditorPage } from './pages/broadcast-editor.js';
import { BroadcastsPage, ConsoleBroadcastsPage } from './pages/broadcasts.js';
import { ContactsPage } from './pages/contacts.js';
import { DeadLettersPage } from './pages/dead-letters.js';
import { OperatorsPage } from './pages/operators.js';
import { RunPage, RunsPage } from './pages/runs.js';
import { SignInPage } from './pages/sign-in.js';

interface SessionAnswer {
  operator: Me;
  csrfToken: string;
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api<SessionAnswer>('GET', '/console/api/session').then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setMe(s.operator);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setMe(null);
        else setError(e);
      },
    );
  }, []);

  if (error)
    return (
      <main>
        <ErrorText error={error} />
      </main>
    );
  if (me === undefined)
    return (
      <main aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  if (me === null) {
    return (
      <SignInPage
        onSignedIn={(s: SessionAnswer) => {
          setCsrfToken(s.csrfToken);
          setMe(s.operator);
          window.location.hash = '/';
        }}
      />
    );
  }
  return <Shell me={me} onSignedOut={() => setMe(null)} />;
}

function Shell({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const route = useRoute();
  const mobile = me.role === 'mobile_operator';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('/')}>
          Herald
        </a>
        <nav aria-label="Main">
          <ul>
            {mobile ? (
              <li>
                <a href={href('/')}>My broadcasts</a>
              </li>
            ) : (
              <>
                <li>
                  <a href={href('/')}>Bots</a>
                </li>
                <li>
                  <a href={href('/broadcasts')}>Broadcasts</a>
                </li>
                {me.role === 'admin' ? (
                  <>
                    <li>
                      <a href={href('/operators')}>Operators</a>
                    </li>
                    <li>
                      <a href={href('/dead-letters')}>Dead letters</a>
                    </li>
                  </>
                ) : null}
              </>
            )}
          </ul>
        </nav>
        <div className="who">
          <span className="muted">
            {me.email} ({me.role.replace('_', ' ')})
          </span>
          <button
            type="button"
            onClick={() => {
              void api('DELETE', '/console/api/session').finally(onSignedOut);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} me={me} />
      </main>
    </>
  );
}

function Page({ route, me }: { route: string[]; me: Me }) {
  const [a, b, c] = route;
  if (me.role === 'mobile_operator') {
    if (a === 'runs' && b) return <RunPage runId={b} me={me} />;
    if (a === 'broadcasts' && b && c === 'runs') return <RunsPage broadcastId={b} />;
    return <ConsoleBroadcastsPage me={me} />;
  }
  if (a === undefined) return <BotsPage me={me} />;
  if (a === 'broadcasts' && !b) return <ConsoleBroadcastsPage me={me} />;
  if (a === 'operators' && me.role === 'admin') return <OperatorsPage me={me} />;
  if (a === 'dead-letters' && me.role === 'admin') return <DeadLettersPage />;
  if (a === 'bots' && b && c === 'broadcasts') return <BroadcastsPage botId={b} />;
  if (a === 'bots' && b && c === 'runs') return <RunsPage botId={b} />;
  if (a === 'bots' && b && c === 'setup') return <BotSetupPage botId={b} />;
  if (a === 'bots' && b && c === 'contacts') return <ContactsPage botId={b} />;
  if (a === 'bots' && b) return <BroadcastsPage botId={b} />;
  if (a === 'broadcasts' && b && c === 'runs') return <RunsPage broadcastId={b} />;
  if (a === 'broadcasts' && b) return <BroadcastEditorPage broadcastId={b} />;
  if (a === 'runs' && b) return <RunPage runId={b} me={me} />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is no such page. <a href={href('/')}>Back to the start</a>
      </p>
    </>
  );
}
