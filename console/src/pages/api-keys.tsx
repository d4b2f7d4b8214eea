// API keys (SPEC §13): keys and console sessions side by side, create (shown once), revoke, last
// used; console links made, listed and revoked. ADMIN only: a VIEWER is told so.
import { type FormEvent, useState } from 'react';
import { request } from '../api.ts';
import type { Caller } from '../app.tsx';
import { graphql } from '../gql/gql.ts';
import { ConfirmButton, ErrorText, Field, Select, ShownOnce, fieldError, useLoad, when } from '../ui.tsx';

const KeysQuery = graphql(`
  query ConsoleApiKeys {
    apiKeys(first: 100) { edges { node { id name role kind prefix createdAt lastUsedAt expiresAt consoleLinkId } } }
    consoleLinks(first: 50) { edges { node { id role status createdAt expiresAt usedAt revokedAt } } }
  }
`);
const CreateKey = graphql(`mutation ConsoleCreateApiKey($name: String!, $role: ApiKeyRole!) { createApiKey(input: { name: $name, role: $role }) { key apiKey { id } } }`);
const RevokeKey = graphql(`mutation ConsoleRevokeApiKey($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`);
const CreateLink = graphql(`mutation ConsoleCreateLink($role: ApiKeyRole!, $ttl: Int!) { createConsoleLink(input: { role: $role, ttlMinutes: $ttl }) { id url expiresAt } }`);
const RevokeLink = graphql(`mutation ConsoleRevokeLink($id: ID!) { revokeConsoleLink(input: { id: $id }) { id revokedAt } }`);

const ROLES = ['ADMIN', 'VIEWER', 'PUBLISHER'] as const;
const LINK_ROLES = ['VIEWER', 'ADMIN'] as const;

export function ApiKeysPage({ caller }: { caller: Caller }) {
  const { data, error, reload } = useLoad(() => (caller.canManage ? request(KeysQuery) : Promise.resolve(undefined)), 'keys');
  if (!caller.canManage) {
    return (
      <section aria-labelledby="keys-title">
        <h1 id="keys-title">API keys</h1>
        <p>Only an ADMIN can see and manage API keys and console links. You are signed in as {caller.role}.</p>
      </section>
    );
  }
  const revoke = (id: string) => request(RevokeKey, { id }).then(reload);
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <ErrorText error={error?.message} />
      <NewKey onCreated={reload} />
      <table aria-label="API keys and console sessions">
        <thead><tr><th>Name</th><th>Kind</th><th>Role</th><th>Prefix</th><th>Created</th><th>Last used</th><th>Ends</th><th /></tr></thead>
        <tbody>
          {data?.apiKeys.edges.map(({ node: k }) => (
            <tr key={k.id}>
              <td>{k.name}</td><td>{k.kind === 'CONSOLE_SESSION' ? 'console session' : 'API key'}</td><td>{k.role}</td><td><code>{k.prefix}…</code></td>
              <td>{when(k.createdAt)}</td><td>{when(k.lastUsedAt)}</td><td>{k.expiresAt ? when(k.expiresAt) : 'never'}</td>
              <td>{k.id === caller.apiKey.id ? 'this sign-in' : <ConfirmButton label="Revoke" question={`Revoke ${k.name}? It stops working at once.`} confirmLabel="Yes, revoke" onConfirm={() => revoke(k.id)} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Console links</h2>
      <p className="hint">A link signs one person in once, for 12 hours, to this workspace with its role: how a platform lets its own customers in (see the README).</p>
      <NewLink onCreated={reload} />
      <table aria-label="Console links">
        <thead><tr><th>Link</th><th>Role</th><th>Status</th><th>Created</th><th>Valid until</th><th /></tr></thead>
        <tbody>
          {data?.consoleLinks.edges.map(({ node: l }) => (
            <tr key={l.id}>
              <td><code>{l.id}</code></td><td>{l.role}</td><td>{l.status}</td><td>{when(l.createdAt)}</td><td>{when(l.expiresAt)}</td>
              <td>{l.status === 'REVOKED' ? '' : <ConfirmButton label="Revoke link" question={l.status === 'USED' ? 'Revoke this link? The session it made ends at once.' : 'Revoke this link?'} confirmLabel="Yes, revoke" onConfirm={() => request(RevokeLink, { id: l.id }).then(reload)} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function NewKey({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('VIEWER');
  const [key, setKey] = useState<string>();
  const [error, setError] = useState<unknown>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    request(CreateKey, { name, role }).then((r) => { setKey(r.createApiKey.key); setName(''); onCreated(); }, setError);
  };
  return (
    <form onSubmit={submit} className="form inline" aria-label="New API key">
      <Field label="Key name" value={name} onChange={setName} error={fieldError(error, 'name')} required />
      <Select label="Role" value={role} options={ROLES} onChange={setRole} />
      <button type="submit">Create key</button>
      {key ? <ShownOnce label="New API key (shown only now)" value={key} copyLabel="Copy key" /> : null}
      <ErrorText error={error && !fieldError(error, 'name') ? (error as Error).message : undefined} />
    </form>
  );
}

function NewLink({ onCreated }: { onCreated: () => void }) {
  const [role, setRole] = useState<(typeof LINK_ROLES)[number]>('VIEWER');
  const [ttl, setTtl] = useState('60');
  const [link, setLink] = useState<{ url: string; expiresAt: string }>();
  const [error, setError] = useState<unknown>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    request(CreateLink, { role, ttl: Number(ttl) }).then((r) => { setLink(r.createConsoleLink); onCreated(); }, setError);
  };
  return (
    <form onSubmit={submit} className="form inline" aria-label="New console link">
      <Select label="Link role" value={role} options={LINK_ROLES} onChange={setRole} />
      <Field label="Valid for (minutes)" type="number" value={ttl} onChange={setTtl} error={fieldError(error, 'ttlMinutes')} />
      <button type="submit">Create link</button>
      {link ? <><ShownOnce label="Sign-in link (shown only now; works once)" value={link.url} copyLabel="Copy link" /><p className="hint">Valid until {when(link.expiresAt)}.</p></> : null}
      <ErrorText error={error && !fieldError(error, 'ttlMinutes') ? (error as Error).message : undefined} />
    </form>
  );
}
