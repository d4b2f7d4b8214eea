// A real HTTP or HTTPS receiver on 127.0.0.1 that records requests and answers as the test says, or
// passes them on to another server as a reverse proxy would (an alias of that server). HTTPS ones
// have a certificate from a private CA (the shared receiverCa() unless the test brings its own) and
// may ask for client certificates; `subscriptionTls` is what a subscription needs to trust them.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type CertificateAuthority, type Issued, createCertificateAuthority } from './certificates.ts';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** The TCP connection it came on (numbered from 1 in accept order). */
  connection: number;
  /** HTTPS: the client certificate presented on that connection, if any. */
  clientCertificate?: { subject: string; fingerprintSha256: string } | undefined;
}

export interface ReceiverTls {
  /** Its certificate (default: one for 127.0.0.1, ::1 and localhost from receiverCa()). */
  certificate?: Issued;
  /** Ask for a client certificate and refuse the handshake without one these CAs signed. */
  requireClientCertificateFrom?: string[];
  /** Cap the TLS version (TLS 1.2 settles the client certificate inside the handshake). */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface Connection {
  id: number;
  clientFingerprint: string | undefined;
  closed: boolean;
}

let sharedCa: Promise<CertificateAuthority> | undefined;
/** The private CA of HTTPS receivers that bring no certificate of their own: one per test process. */
export const receiverCa = (): Promise<CertificateAuthority> => (sharedCa ??= createCertificateAuthority('Receiver Test CA'));
let sharedServer: Promise<Issued> | undefined;
const defaultServerCertificate = (): Promise<Issued> => (sharedServer ??= receiverCa().then((ca) => ca.server()));

export type Answer =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer; delayMs?: number; until?: Promise<unknown> }
  | { forwardTo: string };

export interface Receiver {
  url: string;
  /** HTTPS: the subscription's `tls` that trusts this receiver's CA (undefined over plain HTTP). */
  subscriptionTls: { caCertificatesPem: string } | undefined;
  received: Received[];
  /** Every TCP connection accepted, in order. */
  connections: Connection[];
  /** The most requests that were in flight at once. */
  maxInFlight: () => number;
  /**
   * How to answer the next requests: status, optional headers, body (any bytes), and when: after
   * `delayMs`, or once `until` settles (a request held until the test lets it go); or `forwardTo`
   * an origin, where the same method, path, headers and body go, and whose answer comes back.
   */
  respond: (fn: (req: Received, n: number) => Answer) => void;
  close: () => Promise<void>;
}

/** A gate a test opens once: requests answered `until: gate.opened` wait for it. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const fingerprintOf = (socket: Socket): Received['clientCertificate'] => {
  const peer = 'getPeerCertificate' in socket ? (socket as TLSSocket).getPeerCertificate() : undefined;
  if (!peer?.fingerprint256) return undefined;
  return { subject: Object.entries(peer.subject ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(','), fingerprintSha256: peer.fingerprint256.replaceAll(':', '').toLowerCase() };
};

async function createServer(tls: ReceiverTls | undefined, handler: http.RequestListener): Promise<{ server: http.Server; caPem?: string }> {
  if (!tls) return { server: http.createServer(handler) };
  const cert = tls.certificate ?? (await defaultServerCertificate());
  const server = https.createServer({
    cert: cert.certPem, key: cert.keyPem, ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
    ...(tls.requireClientCertificateFrom ? { requestCert: true, rejectUnauthorized: true, ca: tls.requireClientCertificateFrom } : {}),
    // Connections live until closed by the client: a test can see a retired pool close its own.
    keepAliveTimeout: 120_000,
  }, handler);
  return { server, caPem: (await receiverCa()).certPem };
}

/** `https: true` for an HTTPS receiver with receiverCa()'s certificate, or its TLS settings. */
export async function startReceiver(options: { https?: boolean | ReceiverTls } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const connections: Connection[] = [];
  const ids = new WeakMap<Socket, number>();
  let answer: Parameters<Receiver['respond']>[0] = () => ({ status: 200, body: 'ok' });
  let inFlight = 0;
  let maxInFlight = 0;
  const tls = options.https === true ? {} : options.https || undefined;
  const { server, caPem } = await createServer(tls, (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const r = { headers: req.headers, body, at: Date.now(), connection: ids.get(req.socket) ?? 0, clientCertificate: fingerprintOf(req.socket) };
      received.push(r);
      const a = answer(r, received.length);
      if ('forwardTo' in a) {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(k)));
        fetch(`${a.forwardTo}${req.url}`, { method: req.method, headers: headers as Record<string, string>, body, redirect: 'manual' })
          .then(async (up) => res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/plain' }).end(await up.text()))
          .catch(() => res.writeHead(502).end());
        return;
      }
      const send = () => {
        if (!res.destroyed) res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
      };
      if (a.until) void a.until.then(send);
      else if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const c = { id: connections.length + 1, clientFingerprint: fingerprintOf(socket)?.fingerprintSha256, closed: false };
    connections.push(c);
    ids.set(socket, c.id);
    socket.on('close', () => (c.closed = true));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    subscriptionTls: tls && !tls.certificate && caPem ? { caCertificatesPem: caPem } : undefined,
    received,
    connections,
    maxInFlight: () => maxInFlight,
    respond: (fn) => (answer = fn),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
