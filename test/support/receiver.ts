// A real HTTP receiver on 127.0.0.1 that records requests and answers as the test says, or passes
// them on to another server as a reverse proxy would (an alias of that server).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Answer =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer; delayMs?: number; until?: Promise<unknown> }
  | { forwardTo: string };

export interface Receiver {
  url: string;
  received: Received[];
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

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let answer: Parameters<Receiver['respond']>[0] = () => ({ status: 200, body: 'ok' });
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const r = { headers: req.headers, body, at: Date.now() };
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    maxInFlight: () => maxInFlight,
    respond: (fn) => (answer = fn),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
