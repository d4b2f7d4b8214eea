// The console's one way to the gateway: same-origin relative URLs (SPEC §13), the session token
// (or pasted key) as a bearer header, never a cookie. GraphQL over HTTP for reads and changes,
// graphql-ws for live lists.
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql.ts';
import { currentCredential, onCredentialLost } from './session.ts';

/** A GraphQL error the page can place: `field` is the input field it names (extensions.field). */
export class ApiError extends Error {
  readonly code: string | undefined;
  readonly field: string | undefined;
  constructor(message: string, code?: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

interface GraphQLAnswer<R> {
  data?: R | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

export async function request<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<R> {
  const credential = currentCredential();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential.token}` } : {}) },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  let answer: GraphQLAnswer<R>;
  try {
    answer = (await res.json()) as GraphQLAnswer<R>;
  } catch {
    throw new ApiError(`the gateway answered ${res.status} without GraphQL`);
  }
  const first = answer.errors?.[0];
  if (first) {
    if (first.extensions?.code === 'UNAUTHENTICATED') onCredentialLost('Your session ended (it expired or was revoked). Sign in again.');
    throw new ApiError(first.message, first.extensions?.code, first.extensions?.field);
  }
  if (!answer.data) throw new ApiError(`the gateway answered ${res.status} without data`);
  return answer.data;
}

let live: { client: Client; token: string; connected: boolean } | undefined;

/** The graphql-ws client of the current credential, on this page's own origin. */
export function liveClient(): Client | undefined {
  const credential = currentCredential();
  if (!credential) return undefined;
  if (live?.token === credential.token) return live.client;
  void live?.client.dispose();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const client = createClient({ url, connectionParams: { authorization: `Bearer ${credential.token}` }, lazy: true, retryAttempts: 30 });
  const state = { client, token: credential.token, connected: false };
  client.on('connected', () => (state.connected = true));
  client.on('closed', () => (state.connected = false));
  live = state;
  return client;
}

export function closeLive(): void {
  void live?.client.dispose();
  live = undefined;
}

/** Subscribes `onData` to a live operation; returns the way to stop. */
export function subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, onData: (data: R) => void): () => void {
  const client = liveClient();
  if (!client) return () => {};
  return client.subscribe<R>({ query: document.toString(), variables: variables as Record<string, unknown> }, {
    next: (r) => r.data && onData(r.data as R),
    error: () => {},
    complete: () => {},
  });
}

export type LiveState = 'connecting' | 'live' | 'interrupted';

/**
 * A live list's subscription that says how it is: `onState('live', true)` after the socket came back
 * or the gateway ended the stream because updates may have been missed (its database listener
 * reconnected), so the page reloads what it shows; then it subscribes again.
 */
export function watch<R, V>(document: TypedDocumentString<R, V>, variables: V, onData: (data: R) => void, onState: (state: LiveState, resumed: boolean) => void): () => void {
  const client = liveClient();
  if (!client) return () => {};
  let stopped = false;
  let up = false;
  let connections = 0;
  let unsubscribe = () => {};
  let retry: ReturnType<typeof setTimeout> | undefined;
  const interrupted = () => {
    if (stopped || !up) return;
    up = false;
    onState('interrupted', false);
  };
  const start = () => {
    unsubscribe = client.subscribe<R>({ query: document.toString(), variables: variables as Record<string, unknown> }, {
      next: (r) => {
        if (!up && !stopped) {
          up = true;
          onState('live', false);
        }
        if (r.data) onData(r.data as R);
      },
      error: () => {
        interrupted();
        retry = setTimeout(resume, 500);
      },
      complete: () => {},
    });
  };
  const resume = () => {
    retry = undefined;
    if (stopped) return;
    start();
    up = true;
    onState('live', true);
  };
  const offs = [
    client.on('connected', () => {
      connections += 1;
      if (stopped || up) return;
      up = true;
      onState('live', connections > 1);
    }),
    client.on('closed', interrupted),
  ];
  // The socket may already be up, kept by the list this one replaces: then no 'connected' comes.
  if (live?.client === client && live.connected) {
    up = true;
    connections = 1;
    onState('live', false);
  } else onState('connecting', false);
  start();
  return () => {
    stopped = true;
    clearTimeout(retry);
    unsubscribe();
    offs.forEach((off) => off());
  };
}
