// Baselines for bench/inbound.ts: a bare node:http server that verifies the Standard Webhooks HMAC
// (timing-safe) over the raw body and answers 202, writing nothing; or, with
// REFERENCE_DATABASE_URL, the experiment ../shared/PERFORMANCE.md measured at 0.70 of the
// autocommit baseline ("what an inbound acceptance costs", its last row): the same verification,
// the JSON parsed and two inputs mapped, and four rows a request (delivery, audit, session, job)
// written with group commit, up to 200 requests a flush, four flushes in flight, one statement a
// flush (CTEs over unnest), each request answered after the commit that holds its rows. Narrow rows
// with primary keys only, no payload kept, a plain job table: the experiment's leaner commit, so
// that a run shows how much of the gap to it is the gateway's own work (its checks, the keyed audit
// chain, replay memory, the session.created event and its fan-out, keys and read indexes).
import { createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { sha256Hex } from '../src/platform/crypto/sha256.ts';

// A KeyObject, as the gateway keeps it (src/signing/hmac.ts): raw key bytes cost ~5x the HMAC.
const key = createSecretKey(Buffer.from(process.env.SECRET!.replace(/^whsec_/, ''), 'base64'));

const verified = (req: http.IncomingMessage, body: Buffer) => {
  const id = req.headers['webhook-id'];
  const ts = req.headers['webhook-timestamp'];
  const given = Buffer.from(String(req.headers['webhook-signature']).slice(3), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
};

interface Write { id: string; messageId: string; receivedAt: Date; payloadSha256: string; inputs: string; sessionId: string; answer: (status: number) => void }

const TABLES = `
CREATE TABLE IF NOT EXISTS ref_delivery (id text PRIMARY KEY, message_id text NOT NULL, received_at timestamptz NOT NULL, payload_sha256 text NOT NULL, mapped_inputs jsonb, session_id text);
CREATE TABLE IF NOT EXISTS ref_audit (id bigserial PRIMARY KEY, delivery_id text NOT NULL, occurred_at timestamptz NOT NULL, outcome text NOT NULL, status_code int NOT NULL);
CREATE TABLE IF NOT EXISTS ref_session (id text PRIMARY KEY, inputs jsonb NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS ref_job (id uuid PRIMARY KEY, name text NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`;

const RECORD = `WITH deliveries AS (
  INSERT INTO ref_delivery (id, message_id, received_at, payload_sha256, mapped_inputs, session_id)
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::jsonb[], $6::text[])
), audits AS (
  INSERT INTO ref_audit (delivery_id, occurred_at, outcome, status_code) SELECT d, t, 'ACCEPTED', 202 FROM unnest($1::text[], $3::timestamptz[]) AS u(d, t)
), sessions AS (
  INSERT INTO ref_session (id, inputs, created_at) SELECT * FROM unnest($6::text[], $5::jsonb[], $3::timestamptz[])
)
INSERT INTO ref_job (id, name, data) SELECT id, 'agent-run', data FROM unnest($7::uuid[], $8::jsonb[]) AS u(id, data)`;

/**
 * Group commit as the experiment ran it: up to 200 writes a flush, four flushes in flight. Written
 * here rather than with the product's GroupCommit, so that a change to the product's mechanism
 * (its answer ordering, its halving of failed batches) never moves the reference it is compared to.
 */
async function groupCommit(url: string): Promise<(w: Write) => void> {
  // Connections stay open: a backend that exits would take its CPU out of the benchmark's count.
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 0 });
  await pool.query(TABLES);
  const queue: Write[] = [];
  let inFlight = 0;
  const pump = () => {
    while (inFlight < 4 && queue.length > 0) {
      const batch = queue.splice(0, 200);
      inFlight++;
      const col = <K extends keyof Write>(k: K) => batch.map((w) => w[k]);
      pool.query({ name: 'reference-record', text: RECORD, values: [col('id'), col('messageId'), col('receivedAt'), col('payloadSha256'), col('inputs'), col('sessionId'),
        batch.map(() => randomUUID()), batch.map((w) => JSON.stringify({ sessionId: w.sessionId }))] })
        .then(() => 202, () => 503)
        .then((status) => batch.forEach((w) => w.answer(status)))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };
  return (w) => {
    queue.push(w);
    pump();
  };
}

const write = process.env.REFERENCE_DATABASE_URL ? await groupCommit(process.env.REFERENCE_DATABASE_URL) : undefined;
let n = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const ok = verified(req, body);
    if (!ok || !write) return void res.writeHead(ok ? 202 : 401, { 'content-type': 'application/json' }).end(ok ? '{"ok":true}' : '{}');
    let doc: { number?: unknown; repository?: { full_name?: unknown } };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      return void res.writeHead(400, { 'content-type': 'application/json' }).end('{}');
    }
    n++;
    const id = `ind_${process.pid}_${n}`;
    write({ id, messageId: String(req.headers['webhook-id']), receivedAt: new Date(), payloadSha256: sha256Hex(body), inputs: JSON.stringify({ n: doc.number, repo: doc.repository?.full_name }),
      sessionId: `ses_${process.pid}_${n}`, answer: (status) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ deliveryId: id })) });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
