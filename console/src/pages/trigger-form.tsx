// The New trigger / Edit trigger form: every field of CreateTriggerInput, the input mapping with a
// live preview against a pasted sample payload, and errors placed beside the field they name.
import { type FormEvent, useMemo, useState } from 'react';
import { previewPath } from '../json-path.ts';
import { generateSecret } from '../signing-examples.ts';
import { Checkbox, ErrorText, Field, Select, fieldError, formError, json } from '../ui.tsx';

export const SCHEMES = ['STANDARD_WEBHOOKS', 'GITHUB', 'STRIPE', 'SLACK', 'HMAC_SHA256'] as const;
const TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'OBJECT', 'ARRAY'] as const;
const ENCODINGS = ['HEX', 'BASE64'] as const;
type Scheme = (typeof SCHEMES)[number];

export interface MappingRow { name: string; path: string; type: (typeof TYPES)[number]; required: boolean }

export interface TriggerFormValues {
  name: string;
  agent: string;
  signatureScheme: Scheme;
  secret: string;
  toleranceSeconds: string;
  inputs: MappingRow[];
  filter: string;
  ipAllowlist: string;
  rateLimitPerSecond: string;
  enabled: boolean;
  /** mTLS: the request must bring a client certificate from the gateway's client CAs, optionally pinned. */
  clientCertificate: { required: boolean; subject: string; fingerprintSha256: string };
  hmac: { header: string; encoding: (typeof ENCODINGS)[number]; prefix: string; idHeader: string };
}

export const emptyTrigger = (): TriggerFormValues => ({
  name: '', agent: '', signatureScheme: 'STANDARD_WEBHOOKS', secret: '', toleranceSeconds: '300', inputs: [], filter: '',
  ipAllowlist: '', rateLimitPerSecond: '', enabled: true, clientCertificate: { required: false, subject: '', fingerprintSha256: '' }, hmac: { header: 'X-Signature', encoding: 'HEX', prefix: '', idHeader: '' },
});

const FIELDS = ['name', 'agent', 'signatureScheme', 'secret', 'toleranceSeconds', 'inputs', 'filter', 'ipAllowlist', 'rateLimitPerSecond', 'hmac',
  'clientCertificate', 'clientCertificate.subject', 'clientCertificate.fingerprintSha256'];

/** The form's values as the mutation's input (shared by create and update). */
export function triggerInput(v: TriggerFormValues, creating: boolean) {
  const int = (s: string) => (s.trim() === '' ? null : Number(s));
  return {
    name: v.name,
    agent: v.agent,
    signatureScheme: v.signatureScheme,
    ...(creating && v.secret.trim() !== '' ? { secret: v.secret.trim() } : {}),
    toleranceSeconds: int(v.toleranceSeconds) ?? 300,
    inputs: v.inputs.map((i) => ({ name: i.name, path: i.path, type: i.type, required: i.required })),
    filter: v.filter.trim() === '' ? null : v.filter.trim(),
    ipAllowlist: v.ipAllowlist.split(/[\s,]+/).filter(Boolean),
    rateLimitPerSecond: int(v.rateLimitPerSecond),
    enabled: v.enabled,
    clientCertificate: v.clientCertificate.required
      ? { required: true, subject: v.clientCertificate.subject.trim() || null, fingerprintSha256: v.clientCertificate.fingerprintSha256.trim() || null }
      : null,
    hmac: v.signatureScheme === 'HMAC_SHA256'
      ? { header: v.hmac.header, encoding: v.hmac.encoding, prefix: v.hmac.prefix || null, idHeader: v.hmac.idHeader || null }
      : null,
  };
}

export function TriggerForm({ initial, creating, submitLabel, onSubmit, onCancel }: {
  initial: TriggerFormValues; creating: boolean; submitLabel: string; onSubmit: (v: TriggerFormValues, sample: string) => Promise<void>; onCancel: () => void;
}) {
  const [v, setV] = useState(initial);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [sample, setSample] = useState('');
  const set = <K extends keyof TriggerFormValues>(key: K, value: TriggerFormValues[K]) => setV((old) => ({ ...old, [key]: value }));
  const setRow = (i: number, row: Partial<MappingRow>) => set('inputs', v.inputs.map((r, j) => (j === i ? { ...r, ...row } : r)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    onSubmit(v, sample).catch(setError).finally(() => setBusy(false));
  };
  return (
    <form onSubmit={submit} className="form" aria-label={creating ? 'New trigger' : 'Edit trigger'}>
      <Field label="Name" value={v.name} onChange={(x) => set('name', x)} error={fieldError(error, 'name')} required />
      <Field label="Agent" value={v.agent} onChange={(x) => set('agent', x)} error={fieldError(error, 'agent')} hint="The agent each accepted webhook starts a session of." required />
      <Select label="Signature scheme" value={v.signatureScheme} options={SCHEMES} onChange={(x) => set('signatureScheme', x)} />
      {v.signatureScheme === 'HMAC_SHA256' ? <HmacFields v={v} set={set} error={error} /> : null}
      {creating ? (
        <div className="row">
          <Field label="Secret" value={v.secret} onChange={(x) => set('secret', x)} error={fieldError(error, 'secret')} hint="Paste the sender's secret (GitHub, Stripe…), generate one, or leave empty: the gateway generates it." />
          <button type="button" className="secondary" onClick={() => set('secret', generateSecret(v.signatureScheme))}>Generate secret</button>
        </div>
      ) : null}
      <Field label="Timestamp tolerance (seconds)" type="number" value={v.toleranceSeconds} onChange={(x) => set('toleranceSeconds', x)} error={fieldError(error, 'toleranceSeconds')} />
      <fieldset>
        <legend>Input mapping</legend>
        {v.inputs.map((row, i) => (
          <div className="mapping" key={i} role="group" aria-label={`Input ${i + 1}`}>
            <Field label="Input name" value={row.name} onChange={(x) => setRow(i, { name: x })} error={fieldError(error, `inputs.${i}.name`)} />
            <Field label="JSONPath" value={row.path} onChange={(x) => setRow(i, { path: x })} error={fieldError(error, `inputs.${i}.path`)} placeholder="$.pull_request.number" />
            <Select label="Type" value={row.type} options={TYPES} onChange={(x) => setRow(i, { type: x })} />
            <Checkbox label="Required" checked={row.required} onChange={(x) => setRow(i, { required: x })} />
            <button type="button" className="secondary" aria-label={`Remove input ${i + 1}`} onClick={() => set('inputs', v.inputs.filter((_, j) => j !== i))}>Remove</button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => set('inputs', [...v.inputs, { name: '', path: '$.', type: 'STRING', required: true }])}>Add input</button>
        <Field label="Sample payload (for the preview)" multiline value={sample} onChange={setSample} placeholder='{"pull_request": {"number": 7}}' />
        <MappingPreview rows={v.inputs} sample={sample} />
      </fieldset>
      <Field label="Filter (JSONPath)" value={v.filter} onChange={(x) => set('filter', x)} error={fieldError(error, 'filter')} hint="The trigger fires only when it matches, e.g. $[?(@.action == 'opened')]. Empty: always." />
      <Field label="IP allowlist" value={v.ipAllowlist} onChange={(x) => set('ipAllowlist', x)} error={fieldError(error, 'ipAllowlist')} hint="CIDRs separated by spaces or commas. Empty: any address." />
      <Field label="Rate limit (requests per second)" type="number" value={v.rateLimitPerSecond} onChange={(x) => set('rateLimitPerSecond', x)} error={fieldError(error, 'rateLimitPerSecond')} />
      <fieldset>
        <legend>Client certificate (mTLS)</legend>
        <Checkbox label="Require a client certificate" checked={v.clientCertificate.required}
          onChange={(x) => set('clientCertificate', { ...v.clientCertificate, required: x })} />
        {v.clientCertificate.required ? (
          <>
            <Field label="Certificate subject" value={v.clientCertificate.subject} onChange={(x) => set('clientCertificate', { ...v.clientCertificate, subject: x })}
              error={fieldError(error, 'clientCertificate.subject')} hint="Optional exact RFC 4514 DN, e.g. CN=billing,O=Acme. Empty: any certificate from the gateway's client CAs." />
            <Field label="Certificate SHA-256 fingerprint" value={v.clientCertificate.fingerprintSha256} onChange={(x) => set('clientCertificate', { ...v.clientCertificate, fingerprintSha256: x })}
              error={fieldError(error, 'clientCertificate.fingerprintSha256')} hint="Optional: 64 hex digits, colons allowed." />
          </>
        ) : null}
      </fieldset>
      <Checkbox label="Enabled" checked={v.enabled} onChange={(x) => set('enabled', x)} />
      <ErrorText error={formError(error, FIELDS)} />
      <div className="actions">
        <button type="submit" disabled={busy}>{submitLabel}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function HmacFields({ v, set, error }: { v: TriggerFormValues; set: <K extends keyof TriggerFormValues>(k: K, x: TriggerFormValues[K]) => void; error: unknown }) {
  const h = v.hmac;
  return (
    <fieldset>
      <legend>HMAC-SHA256 signature</legend>
      <Field label="Signature header" value={h.header} onChange={(x) => set('hmac', { ...h, header: x })} error={fieldError(error, 'hmac.header')} />
      <Select label="Encoding" value={h.encoding} options={ENCODINGS} onChange={(x) => set('hmac', { ...h, encoding: x })} />
      <Field label="Signature prefix" value={h.prefix} onChange={(x) => set('hmac', { ...h, prefix: x })} hint="e.g. sha256=" />
      <Field label="Message id header" value={h.idHeader} onChange={(x) => set('hmac', { ...h, idHeader: x })} />
    </fieldset>
  );
}

function MappingPreview({ rows, sample }: { rows: MappingRow[]; sample: string }) {
  const parsed = useMemo(() => {
    if (sample.trim() === '') return undefined;
    try {
      return { value: JSON.parse(sample) as unknown };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [sample]);
  if (!parsed) return <p className="hint">Paste a sample payload to preview the inputs it maps to.</p>;
  if ('error' in parsed) return <p className="error">The sample is not JSON: {parsed.error}</p>;
  return (
    <table className="preview" aria-label="Mapping preview">
      <thead><tr><th>Input</th><th>Path</th><th>Value from the sample</th></tr></thead>
      <tbody>
        {rows.map((row, i) => {
          const p = previewPath(row.path, parsed.value);
          const shown = !p.ok ? p.reason : p.found ? json(p.value) : row.required ? 'missing: the request would be refused (400)' : 'missing (optional)';
          return <tr key={i}><td>{row.name || `#${i + 1}`}</td><td><code>{row.path}</code></td><td><code>{shown}</code></td></tr>;
        })}
      </tbody>
    </table>
  );
}
