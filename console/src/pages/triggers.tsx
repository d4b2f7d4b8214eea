// Triggers (SPEC §13): the list, New trigger, the URL and secret shown once with signing examples,
// a trigger's page with edit, enable/disable, delete, rotate secret, the dry run and live requests.
import { useEffect, useState } from 'react';
import { request, subscribe } from '../api.ts';
import { StatusBadge } from './deliveries.tsx';
import type { Caller } from '../app.tsx';
import { graphql } from '../gql/gql.ts';
import type { ConsoleTriggerQuery } from '../gql/graphql.ts';
import { navigate } from '../router.ts';
import { curlExample, nodeExample, pythonExample } from '../signing-examples.ts';
import { ConfirmButton, CopyButton, ErrorText, Field, Link, ShownOnce, fieldError, useLoad, when } from '../ui.tsx';
import { DryRun } from './trigger-dry-run.tsx';
import { type TriggerFormValues, TriggerForm, emptyTrigger, triggerInput } from './trigger-form.tsx';

const TriggersQuery = graphql(`
  query ConsoleTriggers { triggers(first: 100) { edges { node { id name agent url signatureScheme enabled createdAt } } } }
`);
const TriggerQuery = graphql(`
  query ConsoleTrigger($id: ID!) {
    trigger(id: $id) {
      id name agent url filter signatureScheme toleranceSeconds ipAllowlist rateLimitPerSecond enabled createdAt updatedAt
      clientCertificate { required subject fingerprintSha256 }
      inputs { name path type required }
      hmac { header encoding prefix idHeader }
      secrets { id createdAt expiresAt current }
    }
  }
`);
const CreateTrigger = graphql(`
  mutation ConsoleCreateTrigger($input: CreateTriggerInput!) {
    createTrigger(input: $input) { secret trigger { id name url signatureScheme hmac { header encoding prefix } } }
  }
`);
const UpdateTrigger = graphql(`
  mutation ConsoleUpdateTrigger($input: UpdateTriggerInput!) { updateTrigger(input: $input) { trigger { id enabled } } }
`);
const DeleteTrigger = graphql(`
  mutation ConsoleDeleteTrigger($id: ID!) { deleteTrigger(input: { id: $id }) { deletedTriggerId } }
`);
const RotateTriggerSecret = graphql(`
  mutation ConsoleRotateTriggerSecret($id: ID!, $overlapHours: Int!, $secret: String) {
    rotateTriggerSecret(input: { triggerId: $id, overlapHours: $overlapHours, secret: $secret }) { secret previousSecretExpiresAt }
  }
`);
const RecentRequests = graphql(`
  query ConsoleTriggerRequests($id: ID!) {
    inboundDeliveries(filter: { triggerId: $id }, first: 20) {
      edges { node { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs } }
    }
  }
`);
const LiveRequests = graphql(`
  subscription ConsoleInboundReceived($id: ID) {
    inboundReceived(triggerId: $id) { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs }
  }
`);

/** The pasted sample, compact, when it is JSON: the examples then send what the mapping expects. */
function exampleBody(sample: string): string {
  try {
    return JSON.stringify(JSON.parse(sample));
  } catch {
    return '{"hello":"world"}';
  }
}

type Created = { body: string; secret: string; trigger: { id: string; name: string; url: string; signatureScheme: string; hmac?: { header: string; encoding: string; prefix?: string | null } | null } };

export function TriggersPage({ caller, rest }: { caller: Caller; rest: string }) {
  const [created, setCreated] = useState<Created>();
  if (rest === '/new' && caller.canManage) {
    return (
      <section aria-labelledby="new-trigger-title">
        <h1 id="new-trigger-title">New trigger</h1>
        <TriggerForm
          initial={emptyTrigger()} creating submitLabel="Create" onCancel={() => navigate('/triggers')}
          onSubmit={async (v, sample) => {
            const { createTrigger } = await request(CreateTrigger, { input: triggerInput(v, true) });
            setCreated({ ...createTrigger, body: exampleBody(sample) });
            navigate(`/triggers/${createTrigger.trigger.id}/created`);
          }}
        />
      </section>
    );
  }
  const id = /^\/(trg_\w+)/.exec(rest)?.[1];
  if (id && rest.endsWith('/created') && created?.trigger.id === id) return <CreatedTrigger created={created} />;
  if (id) return <TriggerDetail id={id} caller={caller} />;
  return <TriggerList caller={caller} />;
}

function TriggerList({ caller }: { caller: Caller }) {
  const { data, error } = useLoad(() => request(TriggersQuery), 'triggers');
  return (
    <section aria-labelledby="triggers-title">
      <div className="title-row">
        <h1 id="triggers-title">Triggers</h1>
        {caller.canManage ? <button type="button" onClick={() => navigate('/triggers/new')}>New trigger</button> : null}
      </div>
      <p className="hint">Inbound webhook endpoints: a signed POST to a trigger's URL starts an agent session.</p>
      <ErrorText error={error?.message} />
      {data && data.triggers.edges.length === 0 ? <p>No triggers yet.</p> : null}
      {data && data.triggers.edges.length > 0 ? (
        <table>
          <thead><tr><th>Name</th><th>Agent</th><th>Scheme</th><th>State</th><th className="wide-only">URL</th></tr></thead>
          <tbody>
            {data.triggers.edges.map(({ node: t }) => (
              <tr key={t.id}>
                <td><Link to={`/triggers/${t.id}`}>{t.name}</Link></td>
                <td>{t.agent}</td>
                <td>{t.signatureScheme}</td>
                <td>{t.enabled ? 'enabled' : 'disabled'}</td>
                <td className="wide-only"><code>{t.url}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function SigningExamples({ target, body }: { target: Parameters<typeof curlExample>[0]; body: string }) {
  const examples = [['curl', curlExample(target, body)], ['Node.js', nodeExample(target, body)], ['Python', pythonExample(target, body)]] as const;
  const [tab, setTab] = useState(0);
  const [, code] = examples[tab]!;
  return (
    <section aria-labelledby="examples-title">
      <h2 id="examples-title">Send a signed test webhook</h2>
      <div role="tablist" aria-label="Signing examples">
        {examples.map(([name], i) => (
          <button key={name} type="button" role="tab" aria-selected={tab === i} className={tab === i ? 'tab active' : 'tab'} onClick={() => setTab(i)}>{name}</button>
        ))}
      </div>
      <pre role="tabpanel" aria-label={`${examples[tab]![0]} example`}>{code}</pre>
      <div className="actions"><CopyButton value={code} label="Copy example" /></div>
    </section>
  );
}

function CreatedTrigger({ created }: { created: Created }) {
  const t = created.trigger;
  return (
    <section aria-labelledby="created-title">
      <h1 id="created-title">Trigger {t.name} created</h1>
      <p className="notice">Copy the secret now: it is shown only once. The sender signs each request with it.</p>
      <ShownOnce label="Webhook URL" value={t.url} copyLabel="Copy URL" />
      <ShownOnce label="Signing secret" value={created.secret} copyLabel="Copy secret" />
      <SigningExamples target={{ url: t.url, scheme: t.signatureScheme, secret: created.secret, hmac: t.hmac ?? null }} body={created.body} />
      <p><Link to={`/triggers/${t.id}`}>Go to the trigger</Link></p>
    </section>
  );
}

type Trigger = NonNullable<ConsoleTriggerQuery['trigger']>;

function formValues(t: Trigger): TriggerFormValues {
  return {
    ...emptyTrigger(),
    name: t.name, agent: t.agent, signatureScheme: t.signatureScheme, toleranceSeconds: String(t.toleranceSeconds),
    inputs: t.inputs.map((i) => ({ name: i.name, path: i.path, type: i.type, required: i.required })),
    filter: t.filter ?? '', ipAllowlist: t.ipAllowlist.join(', '), rateLimitPerSecond: t.rateLimitPerSecond?.toString() ?? '', enabled: t.enabled,
    clientCertificate: { required: t.clientCertificate?.required ?? false, subject: t.clientCertificate?.subject ?? '', fingerprintSha256: t.clientCertificate?.fingerprintSha256 ?? '' },
    hmac: { header: t.hmac?.header ?? 'X-Signature', encoding: t.hmac?.encoding ?? 'HEX', prefix: t.hmac?.prefix ?? '', idHeader: t.hmac?.idHeader ?? '' },
  };
}

function TriggerDetail({ id, caller }: { id: string; caller: Caller }) {
  const { data, error, reload } = useLoad(() => request(TriggerQuery, { id }), id);
  const [editing, setEditing] = useState(false);
  const [actionError, setActionError] = useState<string>();
  const t = data?.trigger;
  if (error) return <ErrorText error={error.message} />;
  if (!data) return <p>Loading…</p>;
  if (!t) return <p>No trigger {id} in this workspace.</p>;
  if (editing) {
    return (
      <section aria-labelledby="edit-title">
        <h1 id="edit-title">Edit trigger {t.name}</h1>
        <TriggerForm initial={formValues(t)} creating={false} submitLabel="Save" onCancel={() => setEditing(false)}
          onSubmit={async (v) => {
            await request(UpdateTrigger, { input: { id: t.id, ...triggerInput(v, false) } });
            setEditing(false);
            reload();
          }}
        />
      </section>
    );
  }
  const toggle = () => request(UpdateTrigger, { input: { id: t.id, enabled: !t.enabled } }).then(reload, (e: Error) => setActionError(e.message));
  return (
    <section aria-labelledby="trigger-title">
      <p><Link to="/triggers">← Triggers</Link></p>
      <div className="title-row start">
        <h1 id="trigger-title">{t.name}</h1>
        <span className={t.enabled ? 'badge ok' : 'badge'}>{t.enabled ? 'enabled' : 'disabled'}</span>
      </div>
      {caller.canManage ? (
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)}>Edit</button>
          <button type="button" className="secondary" onClick={() => void toggle()}>{t.enabled ? 'Disable' : 'Enable'}</button>
          <ConfirmButton label="Delete" question={`Delete trigger ${t.name}? Its URL stops working at once.`} confirmLabel="Yes, delete"
            onConfirm={async () => {
              await request(DeleteTrigger, { id: t.id });
              navigate('/triggers');
            }} />
        </div>
      ) : null}
      <ErrorText error={actionError} />
      <dl className="facts">
        <dt>URL</dt><dd><code>{t.url}</code> <CopyButton value={t.url} label="Copy URL" /></dd>
        <dt>Agent</dt><dd>{t.agent}</dd>
        <dt>Signature scheme</dt><dd>{t.signatureScheme}{t.hmac ? ` (${t.hmac.header}, ${t.hmac.encoding})` : ''}, tolerance {t.toleranceSeconds} s</dd>
        <dt>Inputs</dt><dd>{t.inputs.length === 0 ? 'none' : t.inputs.map((i) => `${i.name} ← ${i.path} (${i.type}${i.required ? '' : ', optional'})`).join('; ')}</dd>
        <dt>Filter</dt><dd>{t.filter ? <code>{t.filter}</code> : 'none (every verified request)'}</dd>
        <dt>IP allowlist</dt><dd>{t.ipAllowlist.length ? t.ipAllowlist.join(', ') : 'any address'}</dd>
        <dt>Client certificate</dt><dd>{t.clientCertificate?.required
          ? `required${t.clientCertificate.subject ? `, subject ${t.clientCertificate.subject}` : ''}${t.clientCertificate.fingerprintSha256 ? `, fingerprint ${t.clientCertificate.fingerprintSha256}` : ''}`
          : 'not required'}</dd>
        <dt>Rate limit</dt><dd>{t.rateLimitPerSecond ? `${t.rateLimitPerSecond} per second` : 'none'}</dd>
      </dl>
      <Secrets trigger={t} caller={caller} onRotated={reload} />
      <DryRun triggerId={t.id} />
      <Requests triggerId={t.id} />
    </section>
  );
}

function Secrets({ trigger, caller, onRotated }: { trigger: Trigger; caller: Caller; onRotated: () => void }) {
  const [overlap, setOverlap] = useState('168');
  const [held, setHeld] = useState('');
  const [rotated, setRotated] = useState<{ secret: string; previousSecretExpiresAt?: string | null }>();
  const [error, setError] = useState<unknown>();
  // Without a secret: a new one is generated. With one (resync): the sender's secret is set again.
  const rotate = async (secret?: string) => {
    setError(undefined);
    try {
      const { rotateTriggerSecret } = await request(RotateTriggerSecret, { id: trigger.id, overlapHours: Number(overlap), secret: secret ?? null });
      setHeld('');
      setRotated(rotateTriggerSecret);
      onRotated();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="secrets-title">
      <h2 id="secrets-title">Signing secrets</h2>
      <ul>
        {trigger.secrets.map((s) => (
          <li key={s.id}>{s.current ? 'Current' : 'Previous'} secret, created {when(s.createdAt)}{s.expiresAt ? `, valid until ${when(s.expiresAt)}` : ''}</li>
        ))}
      </ul>
      {rotated ? (
        <div className="notice">
          <ShownOnce label="New signing secret (shown only now)" value={rotated.secret} copyLabel="Copy new secret" />
          <p>{rotated.previousSecretExpiresAt ? `The previous secret stays valid until ${when(rotated.previousSecretExpiresAt)}.` : 'The previous secret no longer works.'}</p>
        </div>
      ) : null}
      {caller.canManage ? (
        <div className="row">
          <Field label="Overlap (hours the old secret stays valid)" type="number" value={overlap} onChange={setOverlap} />
          <ConfirmButton label="Rotate secret" question="Make a new secret? Senders must switch to it before the overlap ends." confirmLabel="Yes, rotate" danger={false} onConfirm={() => rotate()} />
        </div>
      ) : null}
      {caller.canManage ? (
        <div className="row">
          <Field label="Secret the sender holds" value={held} onChange={setHeld} error={fieldError(error, 'secret')}
            hint="Signatures rejected? Paste the secret GitHub, Stripe or your sender uses: it becomes current, the old one keeps the overlap. The dry run says which secret matched." />
          <ConfirmButton label="Resync secret" question="Set this as the current secret? The old one stays valid for the overlap." confirmLabel="Yes, resync" danger={false}
            onConfirm={() => rotate(held)} />
        </div>
      ) : null}
      <ErrorText error={error ? (error as Error).message : undefined} />
    </section>
  );
}

type Request = {
  id: string; receivedAt: string; outcome: string; statusCode: number; refusalCode?: string | null; refusalReason?: string | null; sourceIp?: string | null;
  messageId?: string | null; mappedInputs?: unknown;
};

/** The trigger's latest requests, and new ones as they arrive (graphql-ws inboundReceived). */
function Requests({ triggerId }: { triggerId: string }) {
  const [rows, setRows] = useState<Request[]>([]);
  useEffect(() => {
    let live = true;
    void request(RecentRequests, { id: triggerId }).then((d) => live && setRows((now) => merge(now, d.inboundDeliveries.edges.map((e) => e.node))));
    const stop = subscribe(LiveRequests, { id: triggerId }, (d) => setRows((now) => merge(now, [d.inboundReceived])));
    return () => {
      live = false;
      stop();
    };
  }, [triggerId]);
  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">Requests</h2>
      {rows.length === 0 ? <p>No request received yet; new ones appear here as they arrive.</p> : (
        <table aria-label="Requests">
          <thead><tr><th>Received</th><th>Outcome</th><th>Status</th><th>Refusal</th><th>Message id</th><th>Mapped inputs</th><th>Source</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-request={r.id}>
                <td><Link to={`/triggers/requests/${r.id}`}>{when(r.receivedAt)}</Link></td><td><StatusBadge status={r.outcome} /></td><td>{r.statusCode}</td>
                <td>{r.refusalCode ? <><code>{r.refusalCode}</code> {r.refusalReason ?? ''}</> : ''}</td>
                <td>{r.messageId ? <code>{r.messageId}</code> : ''}</td>
                <td>{r.mappedInputs === null || r.mappedInputs === undefined ? '' : <code className="inputs">{JSON.stringify(r.mappedInputs)}</code>}</td>
                <td>{r.sourceIp ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function merge(rows: Request[], more: Request[]): Request[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of more) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, 50);
}
