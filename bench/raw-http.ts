// The benchmarks' HTTP load generator: keep-alive connections on plain sockets, one request in
// flight on each, every request written with one socket write and its answer read by its status
// line and its length (Content-Length or chunks), as wrk does (../shared/PERFORMANCE.md measured its ceilings with
// `wrk -t2 -c50`). It shares the machine's cores with the gateway and its database: undici's client,
// measured at 75-170 µs of CPU a request here, took CPU the measured side would otherwise have had.
// Each benchmark prints the generator's CPU per request beside the gateway's and the database's.
import net from 'node:net';

export interface RawAnswer {
  status: number;
  body: Buffer;
}

interface Waiting {
  resolve: (a: RawAnswer) => void;
  reject: (err: Error) => void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** A chunked body from `at`: its bytes and where it ends, or an end past the buffer while it is incomplete. */
function dechunk(buf: Buffer, at: number): { body: Buffer; end: number } {
  const parts: Buffer[] = [];
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return { body: Buffer.alloc(0), end: Infinity };
    const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (size === 0) return { body: Buffer.concat(parts), end: lineEnd + 4 };
    const dataEnd = lineEnd + 2 + size;
    if (buf.length < dataEnd + 2) return { body: Buffer.alloc(0), end: Infinity };
    parts.push(buf.subarray(lineEnd + 2, dataEnd));
    at = dataEnd + 2;
  }
}

/** One keep-alive connection: requests go one at a time (the caller awaits each answer). */
class Connection {
  readonly #socket: net.Socket;
  #buffered: Buffer = Buffer.alloc(0);
  #waiting: Waiting | undefined;
  #failed: Error | undefined;

  constructor(host: string, port: number) {
    this.#socket = net.connect({ host, port, noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk));
    const fail = (err: Error) => {
      this.#failed = err;
      this.#waiting?.reject(err);
      this.#waiting = undefined;
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', () => fail(new Error('connection closed')));
  }

  request(bytes: Buffer | string): Promise<RawAnswer> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#waiting) return Promise.reject(new Error('a request is already in flight on this connection'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  #read(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const headEnd = this.#buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.#buffered.toString('latin1', 0, headEnd);
    const bodyStart = headEnd + HEAD_END.length;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const framed = length ? { body: this.#buffered.subarray(bodyStart, bodyStart + Number(length[1])), end: bodyStart + Number(length[1]) }
      : /\r\ntransfer-encoding: *chunked/i.test(head) ? dechunk(this.#buffered, bodyStart)
      : undefined;
    if (!framed) {
      this.#socket.destroy(new Error(`an answer with neither Content-Length nor chunks: ${head.split('\r\n')[0]}`));
      return;
    }
    if (this.#buffered.length < framed.end) return;
    const answer = { status: Number(head.slice(9, 12)), body: framed.body };
    this.#buffered = this.#buffered.subarray(framed.end);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(answer);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** `connections` keep-alive connections to `origin`; `request` takes an idle one. */
export class RawHttpPool {
  readonly #idle: Connection[];
  readonly #all: Connection[];
  readonly #host: string;

  constructor(origin: string, connections: number) {
    const url = new URL(origin);
    this.#host = url.host;
    this.#all = Array.from({ length: connections }, () => new Connection(url.hostname, Number(url.port)));
    this.#idle = [...this.#all];
  }

  /** A POST of `body` (a string, sent as UTF-8) with `headers`; at most `connections` at once. */
  async post(path: string, headers: Record<string, string>, body: string): Promise<RawAnswer> {
    const c = this.#idle.pop();
    if (!c) throw new Error('more requests in flight than connections');
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.#host}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    try {
      return await c.request(`${head}\r\n${body}`);
    } finally {
      this.#idle.push(c);
    }
  }

  close(): void {
    for (const c of this.#all) c.close();
  }
}
