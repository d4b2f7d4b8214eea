// The benchmarks' HTTP load generator: keep-alive connections on plain sockets, one request in
// flight on each, every request written with one socket write and its answer read by its status
// line and its length (chunks or Content-Length), as wrk does (../shared/PERFORMANCE.md measured its
// ceilings with `wrk -t2 -c50`). It shares the machine's cores with the gateway and its database:
// undici's client took 69-176 µs of CPU a request here (docs/benchmarks.md, thirteenth session),
// CPU the measured side would otherwise have had. Each benchmark prints the generator's CPU per
// request beside the gateway's and the database's.
import net from 'node:net';

export interface RawAnswer {
  status: number;
  body: Buffer;
}

interface Waiting {
  resolve: (a: RawAnswer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** An answer later than this fails its request and its connection (a stalled server ends the run in errors, not a hang). */
const ANSWER_TIMEOUT_MS = 60_000;

/** A chunked body from `at` (no trailers: the servers measured send none): its bytes and end, or undefined while incomplete. */
function dechunk(buf: Buffer, at: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (!Number.isInteger(size) || size < 0) throw new Error(`a malformed chunk size: ${buf.toString('latin1', at, lineEnd)}`);
    if (size === 0) return buf.length < lineEnd + 4 ? undefined : { body: Buffer.concat(parts), end: lineEnd + 4 };
    const dataEnd = lineEnd + 2 + size;
    if (buf.length < dataEnd + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, dataEnd));
    at = dataEnd + 2;
  }
}

/**
 * One complete answer at the start of `buf`, where it ends, and whether the server closes the
 * connection behind it; undefined while it is incomplete.
 */
function parseAnswer(buf: Buffer): { answer: RawAnswer; end: number; closes: boolean } | undefined {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const closes = /\r\nconnection: *close/i.test(head);
  const bodyStart = headEnd + HEAD_END.length;
  if (status === 204 || status === 304) return { answer: { status, body: Buffer.alloc(0) }, end: bodyStart, closes };
  // Transfer-Encoding wins over Content-Length (RFC 9112, 6.3).
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const chunked = dechunk(buf, bodyStart);
    return chunked && { answer: { status, body: chunked.body }, end: chunked.end, closes };
  }
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (!length) throw new Error(`an answer with neither chunks nor Content-Length: ${head.split('\r\n')[0]}`);
  const end = bodyStart + Number(length[1]);
  return buf.length < end ? undefined : { answer: { status, body: buf.subarray(bodyStart, end) }, end, closes };
}

/** One keep-alive connection, opened again for the next request once it fails or is closed. */
class Connection {
  readonly #host: string;
  readonly #port: number;
  #socket: net.Socket | undefined;
  #buffered: Buffer = Buffer.alloc(0);
  #waiting: Waiting | undefined;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  request(bytes: string): Promise<RawAnswer> {
    if (this.#waiting) return Promise.reject(new Error('a request is already in flight on this connection'));
    const socket = this.#socket ?? this.#open();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
      this.#waiting = { resolve, reject, timer };
      socket.write(bytes);
    });
  }

  #open(): net.Socket {
    const socket = net.connect({ host: this.#host, port: this.#port, noDelay: true });
    this.#socket = socket;
    this.#buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.#read(socket, chunk));
    // A socket let go of (its server closes it behind an answer) fails no later request.
    const fail = (err: Error) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#settle()?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    return socket;
  }

  #settle(): Waiting | undefined {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) clearTimeout(waiting.timer);
    return waiting;
  }

  #read(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return;
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    let parsed: ReturnType<typeof parseAnswer>;
    try {
      parsed = parseAnswer(this.#buffered);
    } catch (err) {
      socket.destroy(err as Error);
      return;
    }
    if (!parsed) return;
    this.#buffered = this.#buffered.subarray(parsed.end);
    if (parsed.closes) {
      // The next request goes on a new connection, not on this one as it closes.
      this.#socket = undefined;
      socket.end();
    }
    this.#settle()?.resolve(parsed.answer);
  }

  close(): void {
    this.#socket?.destroy();
  }
}

/** `connections` keep-alive connections to `origin`; `post` takes an idle one. */
export class RawHttpPool {
  readonly #idle: Connection[];
  readonly #all: Connection[];
  readonly #host: string;

  constructor(origin: string, connections: number) {
    const url = new URL(origin);
    this.#host = url.host;
    this.#all = Array.from({ length: connections }, () => new Connection(url.hostname, Number(url.port || 80)));
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
