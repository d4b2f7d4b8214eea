// Each sender's documented signing algorithm, written here from the senders' docs with node:crypto
// alone, so the HTTP tests do not lean on the gateway's own signer.
import { createHmac, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

const hmac = (key: Buffer | string, data: string | Buffer) => createHmac('sha256', key).update(data);
const now = () => Math.floor(Date.now() / 1000);

export type Signed = { headers: Record<string, string>; body: string };

/** standardwebhooks.com: HMAC over "{id}.{ts}.{body}", key = base64-decoded part after whsec_. */
export function standardWebhooks(secret: string, body: string, opts: { id?: string; ts?: number } = {}): Signed {
  const id = opts.id ?? `msg_${randomUUID()}`;
  const ts = opts.ts ?? now();
  const sig = hmac(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'), `${id}.${ts}.${body}`).digest('base64');
  return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } };
}

/** GitHub: X-Hub-Signature-256 = sha256=HMAC_hex(secret, body). */
export function github(secret: string, body: string, opts: { event?: string; delivery?: string; contentType?: string } = {}): Signed {
  return {
    body,
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-github-event': opts.event ?? 'pull_request',
      'x-github-delivery': opts.delivery ?? randomUUID(),
      'x-hub-signature-256': `sha256=${hmac(secret, body).digest('hex')}`,
    },
  };
}

/** Stripe: Stripe-Signature: t=<ts>,v1=HMAC_hex(secret, "{t}.{body}"); the key is the whole whsec_ string. */
export function stripe(secret: string, body: string, opts: { ts?: number; extraV1?: string[] } = {}): Signed {
  const ts = opts.ts ?? now();
  const v1 = hmac(secret, `${ts}.${body}`).digest('hex');
  const all = [...(opts.extraV1 ?? []), v1].map((v) => `v1=${v}`).join(',');
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${ts},${all}` } };
}

/** Slack: X-Slack-Signature = v0=HMAC_hex(secret, "v0:{ts}:{body}"). */
export function slack(secret: string, body: string, opts: { ts?: number; contentType?: string } = {}): Signed {
  const ts = opts.ts ?? now();
  return {
    body,
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': `v0=${hmac(secret, `v0:${ts}:${body}`).digest('hex')}`,
    },
  };
}

export async function post(url: string, signed: Signed, extra: Record<string, string> = {}, options: { signal?: AbortSignal } = {}) {
  const res = await fetch(url, { method: 'POST', headers: { ...signed.headers, ...extra }, body: signed.body, ...(options.signal ? { signal: options.signal } : {}) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers };
}

export interface TlsClientOptions {
  /** PEM of the CA that issued the gateway's server certificate. */
  ca: string;
  /** The client certificate and key to present, if any. */
  cert?: string;
  key?: string;
}

/**
 * A POST over HTTPS with node:https, on a fresh connection (no agent: no connection or TLS session
 * is reused across client certificates). Also returns the SHA-256 fingerprint of the server
 * certificate the client saw.
 */
export function postHttps(url: string, signed: Signed, tls: TlsClientOptions, extra: Record<string, string> = {}): Promise<{ status: number; json: any; serverFingerprintSha256: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', headers: { ...signed.headers, ...extra }, agent: false, ...tls }, (res) => {
      const socket = res.socket as TLSSocket;
      const serverFingerprintSha256 = socket.getPeerCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, json, serverFingerprintSha256 });
      });
    });
    req.on('error', reject);
    req.end(signed.body);
  });
}
