// Subscriptions (SPEC §13): list with status, reason and last success; New subscription with the
// event checklist from the catalogue; a subscription's page with the ping result, verify again,
// rotate secret, enable/disable, send test event and delete.
import { type FormEvent, useState } from 'react';
import { request } from '../api.ts';
import type { Caller } from '../app.tsx';
import { graphql } from '../gql/gql.ts';
import type { ConsoleSubscriptionQuery } from '../gql/graphql.ts';
import { navigate } from '../router.ts';
import { DeliveryCharts } from './delivery-charts.tsx';
import { Checkbox, ConfirmButton, ErrorText, Field, Link, Select, ShownOnce, fieldError, formError, useLoad, when } from '../ui.tsx';

const SubscriptionsQuery = graphql(`
  query ConsoleSubscriptions { webhookSubscriptions(first: 100) { edges { node { id url events status statusReason lastSuccessAt } } } }
`);
const SubscriptionQuery = graphql(`
  query ConsoleSubscription($id: ID!) {
    webhookSubscription(id: $id) {
      id url description events filter rateLimitPerSecond maxConcurrency timeoutMs status statusReason disabledAt lastSuccessAt createdAt
      headers { name value secret }
      secrets { id createdAt expiresAt current }
    }
    eventCatalog { type }
  }
`);
const Catalog = graphql(`query ConsoleEventTypes { eventCatalog { type description } }`);
const CreateSubscription = graphql(`
  mutation ConsoleCreateSubscription($input: CreateWebhookSubscriptionInput!) {
    createWebhookSubscription(input: $input) { secret subscription { id status statusReason } }
  }
`);
const Verify = graphql(`mutation ConsoleVerifySubscription($id: ID!) { verifyWebhookSubscription(input: { id: $id }) { subscription { id status statusReason } } }`);
const Enable = graphql(`mutation ConsoleEnableSubscription($id: ID!) { enableWebhookSubscription(input: { id: $id }) { subscription { id status } } }`);
const Disable = graphql(`mutation ConsoleDisableSubscription($id: ID!) { disableWebhookSubscription(input: { id: $id }) { subscription { id status } } }`);
const Delete = graphql(`mutation ConsoleDeleteSubscription($id: ID!) { deleteWebhookSubscription(input: { id: $id }) { deletedSubscriptionId } }`);
const Rotate = graphql(`
  mutation ConsoleRotateSubscriptionSecret($id: ID!, $overlapHours: Int!) {
    rotateWebhookSubscriptionSecret(input: { subscriptionId: $id, overlapHours: $overlapHours }) { secret previousSecretExpiresAt }
  }
`);
const Replay = graphql(`
  mutation ConsoleReplayEvents($id: ID!, $since: DateTime!) { replayEvents(input: { subscriptionId: $id, since: $since }) { replayed subscription { id status } } }
`);
const SendTest = graphql(`mutation ConsoleSendTestEvent($id: ID!, $type: String!) { sendTestEvent(input: { subscriptionId: $id, type: $type }) { delivery { id } } }`);
const DeliveryQuery = graphql(`
  query ConsoleTestDelivery($id: ID!) { delivery(id: $id) { id status attempts { number statusCode outcome errorClass durationMs responseBody } } }
`);

export function SubscriptionsPage({ caller, rest }: { caller: Caller; rest: string }) {
  if (rest === '/new' && caller.canManage) return <NewSubscription />;
  const id = /^\/(sub_\w+)/.exec(rest)?.[1];
  if (id) return <SubscriptionDetail id={id} caller={caller} />;
  return <SubscriptionList caller={caller} />;
}

function SubscriptionList({ caller }: { caller: Caller }) {
  const { data, error } = useLoad(() => request(SubscriptionsQuery), 'subscriptions');
  return (
    <section aria-labelledby="subs-title">
      <div className="title-row">
        <h1 id="subs-title">Subscriptions</h1>
        {caller.canManage ? <button type="button" onClick={() => navigate('/subscriptions/new')}>New subscription</button> : null}
      </div>
      <p className="hint">Downstream URLs that receive signed events.</p>
      <ErrorText error={error?.message} />
      {data && data.webhookSubscriptions.edges.length === 0 ? <p>No subscriptions yet.</p> : null}
      {data && data.webhookSubscriptions.edges.length > 0 ? (
        <table>
          <thead><tr><th>URL</th><th>Events</th><th>Status</th><th>Reason</th><th>Last success</th></tr></thead>
          <tbody>
            {data.webhookSubscriptions.edges.map(({ node: s }) => (
              <tr key={s.id}>
                <td><Link to={`/subscriptions/${s.id}`}>{s.url}</Link></td>
                <td>{s.events.join(', ')}</td>
                <td><span className={s.status === 'ACTIVE' ? 'badge ok' : 'badge'}>{s.status}</span></td>
                <td>{s.statusReason ?? ''}</td>
                <td>{when(s.lastSuccessAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

interface HeaderRow { name: string; value: string; secret: boolean }
const FIELDS = ['url', 'events', 'headers', 'filter', 'rateLimitPerSecond', 'maxConcurrency', 'timeoutMs', 'secret', 'description'];

function NewSubscription() {
  const catalog = useLoad(() => request(Catalog), 'catalog');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [headers, setHeaders] = useState<HeaderRow[]>([]);
  const [filter, setFilter] = useState('');
  const [rate, setRate] = useState('');
  const [concurrency, setConcurrency] = useState('');
  const [timeout, setTimeoutMs] = useState('2000');
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<{ secret: string; subscription: { id: string; status: string; statusReason?: string | null } }>();
  const int = (s: string) => (s.trim() === '' ? null : Number(s));
  const toggle = (type: string, on: boolean) => setEvents((now) => (on ? [...now, type] : now.filter((t) => t !== type)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    request(CreateSubscription, {
      input: {
        url, events, headers: headers.filter((h) => h.name !== ''), filter: filter.trim() || null,
        rateLimitPerSecond: int(rate), maxConcurrency: int(concurrency), timeoutMs: int(timeout) ?? 2000,
      },
    }).then((r) => setCreated(r.createWebhookSubscription), setError);
  };
  if (created) {
    const s = created.subscription;
    return (
      <section aria-labelledby="sub-created-title">
        <h1 id="sub-created-title">Subscription created</h1>
        <p>Verification ping: <strong>{s.status}</strong>{s.statusReason ? ` — ${s.statusReason}` : ''}</p>
        <ShownOnce label="Signing secret (shown only now)" value={created.secret} copyLabel="Copy secret" />
        <Link to={`/subscriptions/${s.id}`}>Go to the subscription</Link>
      </section>
    );
  }
  const wide = events.filter((t) => t === '*' || t === 'tool.*');
  return (
    <section aria-labelledby="new-sub-title">
      <h1 id="new-sub-title">New subscription</h1>
      <form onSubmit={submit} className="form" aria-label="New subscription">
        <Field label="URL" value={url} onChange={setUrl} error={fieldError(error, 'url')} placeholder="https://example.com/webhooks" required />
        <fieldset aria-describedby="events-error">
          <legend>Events</legend>
          <Checkbox label="* (every event)" checked={events.includes('*')} onChange={(on) => toggle('*', on)} />
          <Checkbox label="tool.* (every tool event)" checked={events.includes('tool.*')} onChange={(on) => toggle('tool.*', on)} />
          {catalog.data?.eventCatalog.map((t) => (
            <Checkbox key={t.type} label={t.type} checked={events.includes(t.type)} onChange={(on) => toggle(t.type, on)} />
          ))}
          {wide.length > 0 ? <p className="warning" role="note">{wide.join(' and ')} can be a flood: tool events fire for every tool call of every session. Subscribe to the types you handle.</p> : null}
          {fieldError(error, 'events') ? <small className="error" id="events-error">{fieldError(error, 'events')}</small> : null}
        </fieldset>
        <fieldset>
          <legend>Headers</legend>
          {headers.map((h, i) => (
            <div className="mapping" key={i} role="group" aria-label={`Header ${i + 1}`}>
              <Field label="Header name" value={h.name} onChange={(x) => setHeaders(headers.map((o, j) => (j === i ? { ...o, name: x } : o)))} error={fieldError(error, `headers.${i}.name`)} />
              <Field label="Header value" value={h.value} onChange={(x) => setHeaders(headers.map((o, j) => (j === i ? { ...o, value: x } : o)))} error={fieldError(error, `headers.${i}.value`)} />
              <Checkbox label="Secret (masked after saving)" checked={h.secret} onChange={(x) => setHeaders(headers.map((o, j) => (j === i ? { ...o, secret: x } : o)))} />
              <button type="button" className="secondary" aria-label={`Remove header ${i + 1}`} onClick={() => setHeaders(headers.filter((_, j) => j !== i))}>Remove</button>
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => setHeaders([...headers, { name: '', value: '', secret: false }])}>Add header</button>
        </fieldset>
        <Field label="Filter (JSONPath)" value={filter} onChange={setFilter} error={fieldError(error, 'filter')} />
        <Field label="Rate limit (deliveries per second)" type="number" value={rate} onChange={setRate} error={fieldError(error, 'rateLimitPerSecond')} />
        <Field label="Concurrency (deliveries at once)" type="number" value={concurrency} onChange={setConcurrency} error={fieldError(error, 'maxConcurrency')} />
        <Field label="Timeout (ms)" type="number" value={timeout} onChange={setTimeoutMs} error={fieldError(error, 'timeoutMs')} />
        <ErrorText error={formError(error, FIELDS)} />
        <div className="actions">
          <button type="submit">Create</button>
          <button type="button" className="secondary" onClick={() => navigate('/subscriptions')}>Cancel</button>
        </div>
      </form>
    </section>
  );
}

type Subscription = NonNullable<ConsoleSubscriptionQuery['webhookSubscription']>;

function SubscriptionDetail({ id, caller }: { id: string; caller: Caller }) {
  const { data, error, reload } = useLoad(() => request(SubscriptionQuery, { id }), id);
  const [actionError, setActionError] = useState<string>();
  const s = data?.webhookSubscription;
  if (error) return <ErrorText error={error.message} />;
  if (!data) return <p>Loading…</p>;
  if (!s) return <p>No subscription {id} in this workspace.</p>;
  const act = (p: Promise<unknown>) => p.then(() => { setActionError(undefined); reload(); }, (e: Error) => setActionError(e.message));
  return (
    <section aria-labelledby="sub-title">
      <p><Link to="/subscriptions">← Subscriptions</Link></p>
      <div className="title-row start">
        <h1 id="sub-title">{s.url}</h1>
        <span className={s.status === 'ACTIVE' ? 'badge ok' : 'badge'}>{s.status}</span>
      </div>
      {s.statusReason ? <p className="notice">Last ping or disable reason: <code>{s.statusReason}</code></p> : null}
      {caller.canManage ? (
        <div className="actions">
          <button type="button" onClick={() => void act(request(Verify, { id: s.id }))}>Verify again</button>
          {s.status === 'DISABLED'
            ? <button type="button" className="secondary" onClick={() => void act(request(Enable, { id: s.id }))}>Enable</button>
            : <button type="button" className="secondary" onClick={() => void act(request(Disable, { id: s.id }))}>Disable</button>}
          <ConfirmButton label="Delete" question="Delete this subscription? Pending deliveries stop." confirmLabel="Yes, delete"
            onConfirm={async () => {
              await request(Delete, { id: s.id });
              navigate('/subscriptions');
            }} />
        </div>
      ) : null}
      <ErrorText error={actionError} />
      <dl className="facts">
        <dt>Events</dt><dd>{s.events.join(', ')}</dd>
        <dt>Headers</dt><dd>{s.headers.length ? s.headers.map((h) => `${h.name}: ${h.value}`).join('; ') : 'none'}</dd>
        <dt>Filter</dt><dd>{s.filter ?? 'none'}</dd>
        <dt>Limits</dt><dd>{s.rateLimitPerSecond ?? '∞'} per second, {s.maxConcurrency ?? '∞'} at once, timeout {s.timeoutMs} ms</dd>
        <dt>Last success</dt><dd>{when(s.lastSuccessAt)}</dd>
      </dl>
      <p><Link to={`/deliveries?subscription=${s.id}`}>Deliveries of this subscription →</Link></p>
      <DeliveryCharts subscriptionId={s.id} />
      <SubscriptionSecrets subscription={s} caller={caller} onRotated={reload} />
      {caller.canManage ? <TestEvent id={s.id} types={data.eventCatalog.map((t) => t.type)} /> : null}
      {caller.canManage ? <ReplaySince id={s.id} /> : null}
    </section>
  );
}

function SubscriptionSecrets({ subscription, caller, onRotated }: { subscription: Subscription; caller: Caller; onRotated: () => void }) {
  const [rotated, setRotated] = useState<{ secret: string; previousSecretExpiresAt?: string | null }>();
  const [error, setError] = useState<string>();
  return (
    <section aria-labelledby="sub-secrets-title">
      <h2 id="sub-secrets-title">Signing secrets</h2>
      <ul>{subscription.secrets.map((x) => <li key={x.id}>{x.current ? 'Current' : 'Previous'} secret, created {when(x.createdAt)}{x.expiresAt ? `, valid until ${when(x.expiresAt)}` : ''}</li>)}</ul>
      {rotated ? (
        <div className="notice">
          <ShownOnce label="New signing secret (shown only now)" value={rotated.secret} copyLabel="Copy new secret" />
          <p>{rotated.previousSecretExpiresAt ? `Deliveries carry a signature with the previous secret too until ${when(rotated.previousSecretExpiresAt)}.` : 'The previous secret is no longer used.'}</p>
        </div>
      ) : null}
      {caller.canManage ? (
        <ConfirmButton label="Rotate secret" question="Make a new secret? For 7 days deliveries are signed with both." confirmLabel="Yes, rotate" danger={false}
          onConfirm={() => request(Rotate, { id: subscription.id, overlapHours: 168 }).then((r) => { setRotated(r.rotateWebhookSubscriptionSecret); onRotated(); }, (e: Error) => setError(e.message))} />
      ) : null}
      <ErrorText error={error} />
    </section>
  );
}

type Attempt = { number: number; statusCode?: number | null; outcome: string; errorClass?: string | null; durationMs: number; responseBody?: string | null };

function TestEvent({ id, types }: { id: string; types: string[] }) {
  const [type, setType] = useState(types[0] ?? '');
  const [result, setResult] = useState<{ id: string; status: string; attempts: Attempt[] }>();
  const [error, setError] = useState<string>();
  const send = async () => {
    setError(undefined);
    try {
      const { sendTestEvent } = await request(SendTest, { id, type });
      // The first attempt runs on a worker: the page asks until it has one, for a bounded time.
      for (let i = 0; i < 20; i++) {
        const { delivery } = await request(DeliveryQuery, { id: sendTestEvent.delivery.id });
        if (delivery) setResult(delivery);
        if (delivery && delivery.attempts.length > 0) return;
        await new Promise((r) => setTimeout(r, 500));
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="test-title">
      <h2 id="test-title">Send a test event</h2>
      <div className="row">
        <Select label="Event type" value={type} options={types} onChange={setType} />
        <button type="button" onClick={() => void send()}>Send test event</button>
      </div>
      <ErrorText error={error} />
      {result ? (
        <div aria-label="Test delivery">
          <p>Delivery {result.id}: {result.status}</p>
          {result.attempts.map((a) => (
            <div key={a.number}>
              <p>Attempt {a.number}: {a.outcome} {a.statusCode ?? ''} {a.errorClass ?? ''} in {a.durationMs} ms</p>
              {a.responseBody ? <><p>Response body:</p><pre className="response-body">{a.responseBody}</pre></> : null}
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}

/** A local datetime-local value for `date` (the input shows the browser's time zone). */
const localInput = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** Replay since: the FAILED and CANCELLED deliveries of events since a chosen time, queued again. */
function ReplaySince({ id }: { id: string }) {
  const [since, setSince] = useState(localInput(new Date(Date.now() - 3_600_000)));
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<unknown>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    setError(undefined);
    request(Replay, { id, since: new Date(since).toISOString() }).then(
      (r) => setResult(`${r.replayEvents.replayed} ${r.replayEvents.replayed === 1 ? 'delivery' : 'deliveries'} queued again.`),
      setError,
    );
  };
  return (
    <section aria-labelledby="replay-title">
      <h2 id="replay-title">Replay since</h2>
      <p className="hint">Sends again this subscription's FAILED and CANCELLED deliveries of events since the time below (same webhook-id: receivers dedupe). The subscription must be ACTIVE.</p>
      <form onSubmit={submit} className="inline-form">
        <Field label="Since (your time zone)" type="datetime-local" value={since} onChange={setSince} error={fieldError(error, 'since')} />
        <button type="submit">Replay</button>
      </form>
      <ErrorText error={formError(error, ['since'])} />
      {result ? <p role="status">{result}</p> : null}
    </section>
  );
}
