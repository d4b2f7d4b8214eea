// The overview after sign-in (SPEC §13): the last hour's deliveries by outcome, the subscriptions
// failing or disabled, and the triggers that refused requests, each linking to its page.
import { request } from '../api.ts';
import { graphql } from '../gql/gql.ts';
import { ErrorText, Link, useLoad } from '../ui.tsx';
import { StatusBadge } from './deliveries.tsx';

const OverviewQuery = graphql(`
  query ConsoleOverview($since: DateTime!) {
    deliveryOverview(since: $since) { subscriptionId succeeded failed subscription { id url status statusReason } }
    webhookSubscriptions(first: 100) { edges { node { id url status statusReason } } }
    inboundDeliveries(filter: { outcome: REFUSED, receivedAfter: $since }, first: 100) {
      edges { node { id refusalCode receivedAt trigger { id name } } }
    }
  }
`);

const HOUR_MS = 3_600_000;

export function OverviewPage() {
  const { data, error } = useLoad(() => request(OverviewQuery, { since: new Date(Date.now() - HOUR_MS).toISOString() }), 'overview');
  if (error) return <ErrorText error={error.message} />;
  if (!data) return <p>Loading…</p>;
  const counts = data.deliveryOverview;
  const succeeded = counts.reduce((n, c) => n + c.succeeded, 0);
  const failed = counts.reduce((n, c) => n + c.failed, 0);
  const failingIds = new Set(counts.filter((c) => c.failed > 0).map((c) => c.subscriptionId));
  const failing = data.webhookSubscriptions.edges.map((e) => e.node).filter((s) => failingIds.has(s.id) || s.status === 'DISABLED');
  type Refused = (typeof data.inboundDeliveries.edges)[number]['node'];
  const refusals = new Map<string, Refused[]>();
  for (const { node } of data.inboundDeliveries.edges) {
    if (node.trigger) refusals.set(node.trigger.id, [...(refusals.get(node.trigger.id) ?? []), node]);
  }
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <p className="hint">The last hour.</p>
      <div className="tiles">
        <Link to="/deliveries?status=SUCCEEDED" className="tile ok"><strong>{succeeded}</strong> attempts succeeded</Link>
        <Link to="/deliveries" className="tile bad"><strong>{failed}</strong> attempts failed</Link>
        <Link to="/subscriptions" className="tile"><strong>{failing.length}</strong> failing or disabled subscriptions</Link>
        <Link to="/triggers" className="tile"><strong>{refusals.size}</strong> triggers with refusals</Link>
      </div>
      <h2>Failing subscriptions</h2>
      {failing.length === 0 ? <p>None: every subscription's attempts succeeded in the last hour.</p> : (
        <table aria-label="Failing subscriptions">
          <thead><tr><th>Subscription</th><th>Status</th><th>Failed</th><th>Succeeded</th><th>Reason</th></tr></thead>
          <tbody>
            {failing.map((s) => {
              const c = counts.find((x) => x.subscriptionId === s.id);
              return (
                <tr key={s.id}>
                  <td><Link to={`/subscriptions/${s.id}`}>{s.url}</Link></td><td><StatusBadge status={s.status} /></td>
                  <td><Link to={`/deliveries?subscription=${s.id}`}>{c?.failed ?? 0}</Link></td><td>{c?.succeeded ?? 0}</td><td>{s.statusReason ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h2>Triggers with refusals</h2>
      {refusals.size === 0 ? <p>No request was refused in the last hour.</p> : (
        <table aria-label="Triggers with refusals">
          <thead><tr><th>Trigger</th><th>Refused</th><th>Codes</th></tr></thead>
          <tbody>
            {[...refusals.values()].map((rs) => (
              <tr key={rs[0]!.trigger!.id}>
                <td><Link to={`/triggers/${rs[0]!.trigger!.id}`}>{rs[0]!.trigger!.name}</Link></td>
                <td>{rs.length}{rs.length === 100 ? '+' : ''}</td>
                <td>{[...new Set(rs.map((r) => r.refusalCode))].filter(Boolean).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
