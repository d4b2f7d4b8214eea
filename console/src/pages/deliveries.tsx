// Deliveries (SPEC §10, §13): a live table fed by deliveryUpdated (new deliveries inserted, rows
// updated in place), filtered by subscription, event type and status, with the socket's state; a
// delivery's page with its envelope, every attempt and Redeliver, the new attempt arriving live.
import { useEffect, useState } from 'react';
import { type LiveState, request, watch } from '../api.ts';
import type { Caller } from '../app.tsx';
import { graphql } from '../gql/gql.ts';
import type { ConsoleDeliveriesQuery, DeliveryStatus } from '../gql/graphql.ts';
import { navigate } from '../router.ts';
import { ErrorText, Link, json, useLoad, when } from '../ui.tsx';

const DeliveriesQuery = graphql(`
  query ConsoleDeliveries($filter: DeliveryFilter) {
    deliveries(filter: $filter, first: 50) { edges { node { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } } } }
    webhookSubscriptions(first: 100) { edges { node { id url } } }
    eventCatalog { type }
  }
`);
const DeliveryLive = graphql(`
  subscription ConsoleDeliveryUpdated($filter: DeliveryFilter) {
    deliveryUpdated(filter: $filter) {
      recordedAt
      delivery { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } }
      attempt { number }
    }
  }
`);
const DeliveryQuery = graphql(`
  query ConsoleDelivery($id: ID!) {
    delivery(id: $id) {
      id status attemptCount createdAt lastAttemptAt nextAttemptAt
      event { id type body }
      subscription { id url }
      attempts { number startedAt durationMs outcome statusCode errorClass errorReason responseBody }
    }
  }
`);
const Redeliver = graphql(`mutation ConsoleRedeliver($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id status } } }`);

type Row = ConsoleDeliveriesQuery['deliveries']['edges'][number]['node'];
const STATUSES: ReadonlyArray<DeliveryStatus | ''> = ['', 'PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export function DeliveriesPage({ caller, rest }: { caller: Caller; rest: string }) {
  const id = /^\/(dlv_\w+)/.exec(rest)?.[1];
  if (id) return <DeliveryDetail id={id} caller={caller} />;
  return <DeliveryList />;
}

/** Newest first; a row already shown is replaced where it stands. */
function merge(rows: Row[], update: Row): Row[] {
  const at = rows.findIndex((r) => r.id === update.id);
  if (at >= 0) return rows.map((r, i) => (i === at ? update : r));
  return [update, ...rows].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, 200);
}

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  interrupted: 'Connection lost: reconnecting… (rows are reloaded when it is back)',
};

export function useFilterFromUrl(): URLSearchParams {
  return new URLSearchParams(location.search);
}

function DeliveryList() {
  const params = useFilterFromUrl();
  const [subscriptionId, setSubscriptionId] = useState(params.get('subscription') ?? '');
  const [eventType, setEventType] = useState(params.get('type') ?? '');
  const [status, setStatus] = useState<DeliveryStatus | ''>((params.get('status') ?? '') as DeliveryStatus | '');
  // From an event's page: that event's deliveries only, until the filters are changed.
  const [eventId, setEventId] = useState(params.get('event') ?? '');
  const filter = { subscriptionId: subscriptionId || null, eventType: eventType || null, status: status || null, eventId: eventId || null };
  const key = JSON.stringify(filter);
  const { data, error, reload } = useLoad(() => request(DeliveriesQuery, { filter }), key);
  const [rows, setRows] = useState<Row[]>([]);
  const [live, setLive] = useState<LiveState>('connecting');
  const [resumedAt, setResumedAt] = useState<Date>();
  useEffect(() => setRows(data?.deliveries.edges.map((e) => e.node) ?? []), [data]);
  useEffect(() => watch(DeliveryLive, { filter }, (d) => setRows((now) => merge(now, d.deliveryUpdated.delivery)), (state, resumed) => {
    setLive(state);
    if (resumed) {
      setResumedAt(new Date());
      reload();
    }
  }), [key]);
  // A row whose status no longer fits the status filter leaves the table.
  const shown = status ? rows.filter((r) => r.status === status) : rows;
  return (
    <section aria-labelledby="deliveries-title">
      <div className="title-row">
        <h1 id="deliveries-title">Deliveries</h1>
        <span className={`live-state ${live}`} role="status" aria-label="Live updates">
          {LIVE_TEXT[live]}{live === 'live' && resumedAt ? ` (reconnected at ${resumedAt.toLocaleTimeString()}; rows reloaded)` : ''}
        </span>
      </div>
      <div className="filters">
        <label>Subscription <select aria-label="Subscription" value={subscriptionId} onChange={(e) => setSubscriptionId(e.target.value)}>
          <option value="">All</option>
          {data?.webhookSubscriptions.edges.map(({ node: s }) => <option key={s.id} value={s.id}>{s.url}</option>)}
        </select></label>
        <label>Event type <select aria-label="Event type" value={eventType} onChange={(e) => setEventType(e.target.value)}>
          <option value="">All</option>
          {data?.eventCatalog.map((t) => <option key={t.type} value={t.type}>{t.type}</option>)}
        </select></label>
        <label>Status <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}>
          {STATUSES.map((s) => <option key={s} value={s}>{s || 'All'}</option>)}
        </select></label>
      </div>
      {eventId ? <p className="notice">Deliveries of event <code>{eventId}</code> only. <button type="button" className="link" onClick={() => setEventId('')}>Show all</button></p> : null}
      <ErrorText error={error?.message} />
      {data && shown.length === 0 ? <p>No deliveries match.</p> : null}
      {shown.length > 0 ? (
        <table className="deliveries">
          <thead><tr><th>Delivery</th><th>Event</th><th>Subscription</th><th>Status</th><th>Attempts</th><th>Last attempt</th><th>Next attempt</th></tr></thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <td><Link to={`/deliveries/${d.id}`}><code>{d.id}</code></Link></td>
                <td><code>{d.event.type}</code></td>
                <td>{d.subscription ? <Link to={`/subscriptions/${d.subscription.id}`}>{d.subscription.url}</Link> : 'deleted'}</td>
                <td><StatusBadge status={d.status} /></td>
                <td>{d.attemptCount}</td>
                <td>{when(d.lastAttemptAt)}</td>
                <td>{when(d.nextAttemptAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const tone = status === 'SUCCEEDED' || status === 'ACCEPTED' || status === 'ACTIVE' ? 'ok' : status === 'FAILED' || status === 'REFUSED' || status === 'DISABLED' ? 'bad' : '';
  return <span className={`badge ${tone}`} data-status={status}>{status}</span>;
}

function DeliveryDetail({ id, caller }: { id: string; caller: Caller }) {
  const { data, error, reload } = useLoad(() => request(DeliveryQuery, { id }), id);
  const [busy, setBusy] = useState<string>();
  // Any update of this delivery (a new attempt, a status) reloads its page.
  useEffect(() => watch(DeliveryLive, { filter: null }, (d) => d.deliveryUpdated.delivery.id === id && reload(), (_s, resumed) => resumed && reload()), [id]);
  const d = data?.delivery;
  if (error) return <ErrorText error={error.message} />;
  if (data && !d) return <p>No delivery {id} in this workspace.</p>;
  if (!d) return <p>Loading…</p>;
  let envelope: unknown = d.event.body;
  try {
    envelope = JSON.parse(d.event.body);
  } catch { /* shown as text */ }
  const redeliver = () => {
    setBusy(undefined);
    request(Redeliver, { id }).then(reload, (e: Error) => setBusy(e.message));
  };
  return (
    <section aria-labelledby="delivery-title">
      <p><Link to="/deliveries">← Deliveries</Link></p>
      <div className="title-row">
        <h1 id="delivery-title">Delivery <code>{d.id}</code></h1>
        {caller.canManage ? <button type="button" onClick={redeliver}>Redeliver</button> : null}
      </div>
      <ErrorText error={busy} />
      <dl className="facts">
        <dt>Status</dt><dd><StatusBadge status={d.status} /></dd>
        <dt>Event</dt><dd><code>{d.event.type}</code> <code>{d.event.id}</code></dd>
        <dt>Subscription</dt><dd>{d.subscription ? <Link to={`/subscriptions/${d.subscription.id}`}>{d.subscription.url}</Link> : 'deleted'}</dd>
        <dt>Created</dt><dd>{when(d.createdAt)}</dd>
        <dt>Next attempt</dt><dd>{when(d.nextAttemptAt)}</dd>
      </dl>
      <h2>Attempts ({d.attempts.length})</h2>
      {d.attempts.length === 0 ? <p>No attempt yet.</p> : (
        <table className="attempts">
          <thead><tr><th>#</th><th>Started</th><th>Outcome</th><th>Status</th><th>Duration</th><th>Error class</th><th>Reason</th><th>Response body</th></tr></thead>
          <tbody>
            {d.attempts.map((a) => (
              <tr key={a.number} data-attempt={a.number}>
                <td>{a.number}</td>
                <td>{when(a.startedAt)}</td>
                <td><StatusBadge status={a.outcome} /></td>
                <td>{a.statusCode ?? '—'}</td>
                <td>{a.durationMs} ms</td>
                <td>{a.errorClass ?? ''}</td>
                <td>{a.errorReason ?? ''}</td>
                <td><pre className="body">{a.responseBody ?? ''}</pre></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Envelope</h2>
      <pre>{typeof envelope === 'string' ? envelope : json(envelope)}</pre>
      <p className="hint"><Link to={`/deliveries?subscription=${d.subscription?.id ?? ''}`}>Other deliveries</Link> · <button type="button" className="link" onClick={() => navigate('/deliveries')}>All deliveries</button></p>
    </section>
  );
}
