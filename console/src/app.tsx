// Sign-in and the shell (SPEC §13): a pasted key or a one-time link, the workspace's name, the seven
// pages. A link never silently replaces a signed-in session: the console asks first.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { closeLive, request } from './api.ts';
import { graphql } from './gql/gql.ts';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { DeliveriesPage } from './pages/deliveries.tsx';
import { EventsPage } from './pages/events.tsx';
import { InboundRequest } from './pages/inbound-request.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { AuditLogPage } from './pages/audit-log.tsx';
import { SubscriptionsPage } from './pages/subscriptions.tsx';
import { TriggersPage } from './pages/triggers.tsx';
import { Link, ErrorText } from './ui.tsx';
import { usePath } from './router.ts';
import { type Credential, currentCredential, exchangeLink, forgetCredential, listenForSignOut, storeCredential, takeLinkFromUrl } from './session.ts';

const Me = graphql(`
  query ConsoleMe {
    me { role workspace { id name } apiKey { id kind expiresAt } }
  }
`);

const SignOutSession = graphql(`
  mutation ConsoleSignOut($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }
`);

export interface Caller {
  role: 'ADMIN' | 'VIEWER' | 'PUBLISHER';
  workspace: { id: string; name: string };
  apiKey: { id: string; kind: string; expiresAt?: string | null };
  canManage: boolean;
}

async function whoAmI(): Promise<Caller> {
  const { me } = await request(Me);
  return { ...me, canManage: me.role === 'ADMIN' };
}

const PUBLISHER_REFUSED = 'A PUBLISHER key cannot sign in to the console: it may only publish events. Use an ADMIN or VIEWER key, or a console link.';

type State =
  | { step: 'loading' }
  | { step: 'signed-out'; reason?: string | undefined }
  | { step: 'ask'; link: string; caller: Caller }
  | { step: 'in'; caller: Caller };

export function App() {
  const [state, setState] = useState<State>({ step: 'loading' });
  // Only a signed-in console is signed out by a refused credential; a key being tried just fails.
  const signedIn = useRef(false);
  signedIn.current = state.step === 'in';

  const signIn = async (credential: Credential) => {
    storeCredential(credential);
    closeLive();
    const caller = await whoAmI().catch((e: Error) => {
      forgetCredential();
      throw e;
    });
    if (caller.role === 'PUBLISHER') {
      forgetCredential();
      throw new Error(PUBLISHER_REFUSED);
    }
    setState({ step: 'in', caller });
  };

  const useLink = async (link: string) => {
    try {
      const session = await exchangeLink(link);
      await signIn({ token: session.token, kind: 'session' });
    } catch (e) {
      setState({ step: 'signed-out', reason: (e as Error).message });
    }
  };

  useEffect(() => {
    const start = async () => {
      const link = takeLinkFromUrl();
      const existing = currentCredential();
      const caller = existing ? await whoAmI().catch(() => undefined) : undefined;
      if (link && caller) return setState({ step: 'ask', link, caller });
      if (link) return useLink(link);
      if (caller && caller.role !== 'PUBLISHER') return setState({ step: 'in', caller });
      forgetCredential();
      setState({ step: 'signed-out', reason: existing ? 'Your session ended (it expired or was revoked). Sign in again.' : undefined });
    };
    void start();
    // A link opened in a tab already on /console/ changes only the fragment: no reload.
    const onHash = () => void (location.hash.startsWith('#link=') && start());
    window.addEventListener('hashchange', onHash);
    const stop = listenForSignOut((reason) => signedIn.current && setState({ step: 'signed-out', reason }));
    return () => {
      window.removeEventListener('hashchange', onHash);
      stop();
    };
  }, []);

  // The session a link replaces is ended, not left valid for its 12 hours with nobody holding it.
  const replaceWith = async (link: string, caller: Caller) => {
    if (currentCredential()?.kind === 'session') await request(SignOutSession, { id: caller.apiKey.id }).catch(() => {});
    forgetCredential();
    await useLink(link);
  };

  const signOut = async () => {
    const credential = currentCredential();
    if (credential?.kind === 'session' && state.step === 'in') await request(SignOutSession, { id: state.caller.apiKey.id }).catch(() => {});
    forgetCredential();
    closeLive();
    setState({ step: 'signed-out' });
  };

  if (state.step === 'loading') return <main className="centered"><p>Loading…</p></main>;
  if (state.step === 'signed-out') return <SignIn reason={state.reason} onKey={(token) => signIn({ token, kind: 'key' })} />;
  if (state.step === 'ask') {
    return (
      <main className="centered">
        <section className="card" aria-labelledby="ask-title">
          <h1 id="ask-title">Replace this session?</h1>
          <p>You are signed in to workspace <strong>{state.caller.workspace.name}</strong> as {state.caller.role}. This page was opened with a sign-in link.</p>
          <div className="actions">
            <button type="button" onClick={() => void replaceWith(state.link, state.caller)}>Use the link</button>
            <button type="button" className="secondary" onClick={() => setState({ step: 'in', caller: state.caller })}>Stay signed in</button>
          </div>
        </section>
      </main>
    );
  }
  return <Shell caller={state.caller} onSignOut={() => void signOut()} />;
}

function SignIn({ reason, onKey }: { reason: string | undefined; onKey: (key: string) => Promise<void> }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    onKey(key.trim()).catch((err: Error) => setError(err.message)).finally(() => setBusy(false));
  };
  return (
    <main className="centered">
      <section className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to the webhook gateway</h1>
        {reason ? <p className="error" role="alert">{reason.charAt(0).toUpperCase() + reason.slice(1)}</p> : null}
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="api-key">API key</label>
            <input id="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="whk_…" required />
          </div>
          <ErrorText error={error} />
          <button type="submit" disabled={busy || key.trim() === ''}>Sign in</button>
        </form>
        <p className="hint">
          Or open a sign-in link: an ADMIN makes one in <em>API keys → Console links</em>, or with <code>npm run cli -- console-link</code>.
          The key stays in this tab only (sessionStorage).
        </p>
      </section>
    </main>
  );
}

const PAGES = [
  { path: '/overview', name: 'Overview' },
  { path: '/triggers', name: 'Triggers' },
  { path: '/subscriptions', name: 'Subscriptions' },
  { path: '/deliveries', name: 'Deliveries' },
  { path: '/audit-log', name: 'Audit log' },
  { path: '/api-keys', name: 'API keys' },
  { path: '/events', name: 'Events' },
] as const;

function Shell({ caller, onSignOut }: { caller: Caller; onSignOut: () => void }) {
  const path = usePath();
  const section = PAGES.find((p) => path === p.path || path.startsWith(`${p.path}/`)) ?? PAGES[0];
  const rest = path.startsWith(section.path) ? path.slice(section.path.length) : '';
  const requestId = /^\/requests\/(ind_\w+)/.exec(rest)?.[1];
  useEffect(() => {
    document.title = `${section.name} · ${caller.workspace.name} · webhook gateway`;
  }, [section.name, caller.workspace.name]);
  return (
    <div className="shell">
      <header>
        <span className="brand">Webhook gateway</span>
        <span className="workspace" aria-label="Workspace">Workspace: <strong>{caller.workspace.name}</strong></span>
        <span className="role">{caller.role}{caller.apiKey.kind === 'CONSOLE_SESSION' ? ' session' : ' key'}</span>
        <button type="button" className="secondary" onClick={onSignOut}>Sign out</button>
      </header>
      <nav aria-label="Pages">
        {PAGES.map((p) => (
          <Link key={p.path} to={p.path} className={p === section ? 'active' : ''}>{p.name}</Link>
        ))}
      </nav>
      <main>
        {section.path === '/overview' ? <OverviewPage /> : null}
        {section.path === '/triggers' && requestId ? <InboundRequest id={requestId} /> : null}
        {section.path === '/triggers' && !requestId ? <TriggersPage caller={caller} rest={rest} /> : null}
        {section.path === '/subscriptions' ? <SubscriptionsPage caller={caller} rest={rest} /> : null}
        {section.path === '/deliveries' ? <DeliveriesPage caller={caller} rest={rest} /> : null}
        {section.path === '/audit-log' ? <AuditLogPage /> : null}
        {section.path === '/api-keys' ? <ApiKeysPage caller={caller} /> : null}
        {section.path === '/events' ? <EventsPage /> : null}
      </main>
    </div>
  );
}
