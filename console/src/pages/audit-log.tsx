// The audit log (SPEC §9, §13): auditLog with filters and keyset paging, Verify chain with the head
// to keep (passed back as expectedHead on the next verification), and the NDJSON export as a
// download: fetched with the bearer header, then saved from a Blob (no cookie, no token in a URL).
import { type FormEvent, useState } from 'react';
import { request } from '../api.ts';
import { graphql } from '../gql/gql.ts';
import type { AuditDirection, AuditFilter, ConsoleAuditLogQuery } from '../gql/graphql.ts';
import { currentCredential } from '../session.ts';
import { ErrorText, useLoad, when } from '../ui.tsx';
import { StatusBadge } from './deliveries.tsx';

const AuditLogQuery = graphql(`
  query ConsoleAuditLog($filter: AuditFilter, $after: String) {
    auditLog(filter: $filter, first: 50, after: $after) {
      edges { node { id seq direction triggerId subscriptionId deliveryId eventType occurredAt durationMs attempt statusCode outcome errorClass sourceIp } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
const VerifyChain = graphql(`
  mutation ConsoleVerifyAuditChain($input: VerifyAuditChainInput!) {
    verifyAuditChain(input: $input) { ok checked reason head { seq hash occurredAt } firstBrokenEntry { id seq occurredAt } }
  }
`);

type Entry = ConsoleAuditLogQuery['auditLog']['edges'][number]['node'];
type Head = { seq: string; hash: string; occurredAt?: string };

interface Filters { direction: AuditDirection | ''; triggerId: string; subscriptionId: string; eventType: string; outcome: string; from: string; to: string }
const EMPTY: Filters = { direction: '', triggerId: '', subscriptionId: '', eventType: '', outcome: '', from: '', to: '' };

/** The API's filter: empty fields left out, local times as instants. */
function toFilter(f: Filters): AuditFilter {
  return {
    ...(f.direction ? { direction: f.direction } : {}), ...(f.triggerId ? { triggerId: f.triggerId.trim() } : {}),
    ...(f.subscriptionId ? { subscriptionId: f.subscriptionId.trim() } : {}), ...(f.eventType ? { eventType: f.eventType.trim() } : {}),
    ...(f.outcome ? { outcome: f.outcome.trim() } : {}),
    ...(f.from ? { occurredAfter: new Date(f.from).toISOString() } : {}), ...(f.to ? { occurredBefore: new Date(f.to).toISOString() } : {}),
  };
}

export function AuditLogPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  // Keyset paging: the cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const after = cursors.at(-1) ?? null;
  const { data, error } = useLoad(() => request(AuditLogQuery, { filter: toFilter(applied), after }), JSON.stringify([applied, after]));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
    setCursors([null]);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const page = data?.auditLog;
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <p className="hint">Every inbound request and outbound attempt, newest first; hash-chained per workspace.</p>
      <form className="filters" onSubmit={apply} aria-label="Audit filters">
        <label>Direction <select aria-label="Direction" value={draft.direction} onChange={set('direction')}>
          <option value="">All</option><option value="INBOUND">INBOUND</option><option value="OUTBOUND">OUTBOUND</option>
        </select></label>
        <label>Trigger id <input aria-label="Trigger id" value={draft.triggerId} onChange={set('triggerId')} placeholder="trg_…" /></label>
        <label>Subscription id <input aria-label="Subscription id" value={draft.subscriptionId} onChange={set('subscriptionId')} placeholder="sub_…" /></label>
        <label>Event type <input aria-label="Event type" value={draft.eventType} onChange={set('eventType')} placeholder="session.created" /></label>
        <label>Outcome <input aria-label="Outcome" value={draft.outcome} onChange={set('outcome')} placeholder="ACCEPTED, SUCCEEDED…" /></label>
        <label>From <input aria-label="From" type="datetime-local" value={draft.from} onChange={set('from')} /></label>
        <label>To <input aria-label="To" type="datetime-local" value={draft.to} onChange={set('to')} /></label>
        <button type="submit">Apply</button>
      </form>
      <ErrorText error={error?.message} />
      {page && page.edges.length === 0 ? <p>No entries match.</p> : null}
      {page && page.edges.length > 0 ? <AuditTable entries={page.edges.map((e) => e.node)} /> : null}
      <div className="actions">
        <button type="button" className="secondary" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" className="secondary" disabled={!page?.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page!.pageInfo.endCursor ?? null])}>Older</button>
        <ExportButton filter={toFilter(applied)} />
      </div>
      <VerifyPanel />
    </section>
  );
}

function AuditTable({ entries }: { entries: Entry[] }) {
  return (
    <table aria-label="Audit entries" className="audit">
      <thead><tr><th>Seq</th><th>Time</th><th>Direction</th><th>Trigger / subscription</th><th>Delivery</th><th>Event</th><th>Outcome</th><th>Status</th><th>Duration</th></tr></thead>
      <tbody>
        {entries.map((a) => (
          <tr key={a.id} data-audit={a.id}>
            <td>{String(a.seq)}</td><td>{when(a.occurredAt)}</td><td>{a.direction}</td>
            <td><code>{a.triggerId ?? a.subscriptionId ?? ''}</code></td><td><code>{a.deliveryId ?? ''}</code></td>
            <td>{a.eventType ?? ''}</td><td><StatusBadge status={a.outcome} /></td><td>{a.statusCode ?? ''}</td>
            <td>{a.durationMs === null || a.durationMs === undefined ? '' : `${a.durationMs} ms`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The export's query parameters are the filter's fields, as GET /v1/audit/export takes them. */
function ExportButton({ filter }: { filter: AuditFilter }) {
  const [state, setState] = useState<string>();
  const download = async () => {
    setState('Exporting…');
    try {
      const params = new URLSearchParams(Object.entries(filter).map(([k, v]) => [k, String(v)]));
      const res = await fetch(`/v1/audit/export${params.size ? `?${params}` : ''}`, { headers: { authorization: `Bearer ${currentCredential()?.token ?? ''}` } });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        throw new Error(body.error?.message ?? `the export answered ${res.status}`);
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `audit-${new Date().toISOString().replaceAll(':', '-')}.ndjson`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState(`Exported ${blob.size} bytes.`);
    } catch (e) {
      setState(`Export failed: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void download()}>Export NDJSON</button>
      {state ? <span role="status" className="hint">{state}</span> : null}
    </>
  );
}

const HEAD_KEY = 'audit-head';

/** Verify chain: from the oldest kept row, holding the head kept last time (this browser) if any. */
function VerifyPanel() {
  const [kept, setKept] = useState(() => localStorage.getItem(HEAD_KEY) ?? '');
  const [result, setResult] = useState<{ ok: boolean; checked: number; reason?: string | null; head?: Head | null; broken?: string }>();
  const [error, setError] = useState<string>();
  const verify = async () => {
    setError(undefined);
    try {
      const [seq, hash] = kept.trim().split(':');
      const expectedHead = kept.trim() ? { seq: seq ?? '', hash: hash ?? '' } : undefined;
      const { verifyAuditChain: v } = await request(VerifyChain, { input: expectedHead ? { expectedHead } : {} });
      setResult({ ok: v.ok, checked: v.checked, reason: v.reason, head: v.head ? { seq: String(v.head.seq), hash: v.head.hash, occurredAt: v.head.occurredAt } : null, broken: v.firstBrokenEntry ? `${v.firstBrokenEntry.id} (seq ${String(v.firstBrokenEntry.seq)})` : undefined });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const keep = (head: Head) => {
    const value = `${head.seq}:${head.hash}`;
    localStorage.setItem(HEAD_KEY, value);
    setKept(value);
  };
  return (
    <section aria-labelledby="verify-title" className="card-inline">
      <h2 id="verify-title">Verify chain</h2>
      <p className="hint">Recomputes every kept row's keyed hash. Keep the head it returns (outside the database) and give it back next time: rows removed from the end, or a rewritten head, then show.</p>
      <label className="field">Expected head (seq:hash, optional)
        <input aria-label="Expected head" value={kept} onChange={(e) => setKept(e.target.value)} placeholder="1234:9f86d0…" />
      </label>
      <button type="button" onClick={() => void verify()}>Verify chain</button>
      <ErrorText error={error} />
      {result ? (
        <div role="status" aria-label="Verification result" className={result.ok ? 'notice ok' : 'notice bad'}>
          <p><strong>{result.ok ? 'Chain intact' : 'Chain broken'}</strong>: {result.checked} rows checked.{result.reason ? ` ${result.reason}` : ''}</p>
          {result.broken ? <p>First broken entry: <code>{result.broken}</code></p> : null}
          {result.head ? (
            <p>Head to keep: <code aria-label="Head to keep">{`${result.head.seq}:${result.head.hash}`}</code>{' '}
              <button type="button" className="secondary" onClick={() => keep(result.head!)}>Keep in this browser</button></p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
