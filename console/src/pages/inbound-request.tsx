// One request received on a trigger (SPEC §13): its outcome, refusal, message id and mapped inputs,
// the session it started and the events that followed, each linking to its deliveries.
import { request } from '../api.ts';
import { graphql } from '../gql/gql.ts';
import { ErrorText, Link, json, useLoad, when } from '../ui.tsx';
import { StatusBadge } from './deliveries.tsx';

const RequestQuery = graphql(`
  query ConsoleInboundRequest($id: ID!) {
    node(id: $id) {
      ... on InboundDelivery {
        id receivedAt outcome statusCode refusalCode refusalReason messageId sourceIp contentType payloadBytes payloadSha256 mappedInputs
        trigger { id name }
        session { id agent status inputs output error createdAt startedAt finishedAt events { id type timestamp } }
      }
    }
  }
`);

export function InboundRequest({ id }: { id: string }) {
  const { data, error } = useLoad(() => request(RequestQuery, { id }), id);
  if (error) return <ErrorText error={error.message} />;
  if (!data) return <p>Loading…</p>;
  const r = data.node && 'receivedAt' in data.node ? data.node : undefined;
  if (!r) return <p>No request {id} in this workspace.</p>;
  return (
    <section aria-labelledby="request-title">
      <p>{r.trigger ? <Link to={`/triggers/${r.trigger.id}`}>← {r.trigger.name}</Link> : <Link to="/triggers">← Triggers</Link>}</p>
      <div className="title-row start">
        <h1 id="request-title">Request <code>{r.id}</code></h1>
        <StatusBadge status={r.outcome} />
      </div>
      <dl className="facts">
        <dt>Received</dt><dd>{when(r.receivedAt)}</dd>
        <dt>Answer</dt><dd>{r.statusCode}</dd>
        <dt>Refusal</dt><dd>{r.refusalCode ? <><code>{r.refusalCode}</code> {r.refusalReason}</> : 'none'}</dd>
        <dt>Message id</dt><dd>{r.messageId ? <code>{r.messageId}</code> : '—'}</dd>
        <dt>Source</dt><dd>{r.sourceIp ?? '—'}</dd>
        <dt>Body</dt><dd>{r.payloadBytes} bytes, {r.contentType ?? 'no content type'}, SHA-256 <code>{r.payloadSha256}</code></dd>
      </dl>
      <h2>Mapped inputs</h2>
      {r.mappedInputs === null || r.mappedInputs === undefined ? <p>None (refused, ignored or a replay).</p> : <pre>{json(r.mappedInputs)}</pre>}
      <h2>Session</h2>
      {!r.session ? <p>This request started no session.</p> : (
        <>
          <dl className="facts">
            <dt>Session</dt><dd><code>{r.session.id}</code> <StatusBadge status={r.session.status} /></dd>
            <dt>Agent</dt><dd>{r.session.agent}</dd>
            <dt>Started</dt><dd>{when(r.session.startedAt)}</dd>
            <dt>Finished</dt><dd>{when(r.session.finishedAt)}</dd>
          </dl>
          <h3>Events that followed</h3>
          {r.session.events.length === 0 ? <p>No event yet.</p> : (
            <table aria-label="Events of the session">
              <thead><tr><th>Event</th><th>Type</th><th>Time</th><th>Deliveries</th></tr></thead>
              <tbody>
                {r.session.events.map((e) => (
                  <tr key={e.id}>
                    <td><code>{e.id}</code></td><td><code>{e.type}</code></td><td>{when(e.timestamp)}</td>
                    <td><Link to={`/deliveries?event=${e.id}`}>Its deliveries</Link></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
