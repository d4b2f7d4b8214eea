// Who the console is signed in as: a pasted API key or a console session token, kept in
// sessionStorage (one tab, gone when it closes) and sent as a bearer header; no cookie, so no CSRF.
const STORAGE_KEY = 'webhook-gateway.console.credential';

export interface Credential {
  token: string;
  kind: 'key' | 'session';
}

type Listener = (reason: string | undefined) => void;
const listeners = new Set<Listener>();

export function currentCredential(): Credential | undefined {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Credential) : undefined;
  } catch {
    return undefined;
  }
}

export function storeCredential(credential: Credential): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
}

export function forgetCredential(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Called when the gateway no longer accepts the credential; the shell shows sign-in with `reason`. */
export function onCredentialLost(reason: string): void {
  forgetCredential();
  for (const l of listeners) l(reason);
}

export function listenForSignOut(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface LinkSession {
  token: string;
  sessionId: string;
  role: string;
  expiresAt: string;
  workspace: { id: string; name: string };
}

/** Spends a one-time link (POST /v1/console/session); the error carries the gateway's reason. */
export async function exchangeLink(linkToken: string): Promise<LinkSession> {
  const res = await fetch('/v1/console/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: linkToken }),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<LinkSession> & { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `the gateway answered ${res.status}`);
  return body as LinkSession;
}

/** The token of a `#link=...` fragment, removed from the address bar so it stays in no history. */
export function takeLinkFromUrl(): string | undefined {
  if (!location.hash.startsWith('#link=')) return undefined;
  // Removed before it is checked: a token with a character appended on the way must not stay in history either.
  const hash = location.hash;
  history.replaceState(null, '', location.pathname + location.search);
  return /^#link=([\w-]+)$/.exec(hash)?.[1];
}
