// The dry run (testTrigger): a request as the sender would make it, and each check's outcome,
// without writing anything.
import { type FormEvent, useState } from 'react';
import { request } from '../api.ts';
import { graphql } from '../gql/gql.ts';
import type { ConsoleTestTriggerMutation } from '../gql/graphql.ts';
import { ErrorText, Field, json } from '../ui.tsx';

const TestTrigger = graphql(`
  mutation ConsoleTestTrigger($input: TestTriggerInput!) {
    testTrigger(input: $input) { status code message ignored messageId mappedInputs checks { name passed detail } }
  }
`);

/** "Name: value" lines to headers; a line without a colon is an error naming it. */
function parseHeaders(text: string): Array<{ name: string; value: string }> {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`not a header line (Name: value): ${line}`);
    return { name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() };
  });
}

export function DryRun({ triggerId }: { triggerId: string }) {
  const [headers, setHeaders] = useState('content-type: application/json');
  const [body, setBody] = useState('{}');
  const [result, setResult] = useState<ConsoleTestTriggerMutation['testTrigger']>();
  const [error, setError] = useState<string>();
  const run = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    Promise.resolve()
      .then(() => request(TestTrigger, { input: { triggerId, headers: parseHeaders(headers), body } }))
      .then((r) => setResult(r.testTrigger), (err: Error) => setError(err.message));
  };
  return (
    <section aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Dry run</h2>
      <p className="hint">Runs every check the real endpoint runs, in order, and writes nothing. Paste the headers and body a sender would send.</p>
      <form onSubmit={run} className="form">
        <Field label="Request headers" multiline value={headers} onChange={setHeaders} hint="One per line: Name: value" />
        <Field label="Request body" multiline value={body} onChange={setBody} />
        <button type="submit">Run dry run</button>
      </form>
      <ErrorText error={error} />
      {result ? (
        <div aria-label="Dry run result">
          <p><strong>Would answer {result.status}</strong>{result.code ? ` ${result.code}` : ''}{result.message ? `: ${result.message}` : ''}{result.ignored ? ' (ignored)' : ''}</p>
          <table aria-label="Checks">
            <thead><tr><th>Check</th><th>Outcome</th><th>Detail</th></tr></thead>
            <tbody>
              {result.checks.map((c) => (
                <tr key={c.name}><td>{c.name}</td><td className={c.passed ? 'ok' : 'bad'}>{c.passed ? 'passed' : 'failed'}</td><td>{c.detail}</td></tr>
              ))}
            </tbody>
          </table>
          {result.mappedInputs !== null && result.mappedInputs !== undefined ? <><h3>Mapped inputs</h3><pre>{json(result.mappedInputs)}</pre></> : null}
        </div>
      ) : null}
    </section>
  );
}
