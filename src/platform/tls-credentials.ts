// The gateway's own TLS files (SPEC §5 mTLS): the server certificate and key the HTTPS port serves,
// and the CAs whose client certificates triggers may require. Read at start (a bad file stops
// start-up, naming its variable) and again on reload (SIGHUP): a reload that fails keeps the files
// in use, so a half-written certificate cannot take HTTPS down.
import { createHash, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { type Config, ConfigError } from './config.ts';
import { CertificateError, type CertificateInfo, type ChainVerdict, parseCertificates, verifyChain } from './crypto/x509.ts';
import type { Metrics } from './metrics.ts';

export interface ServerCredentials {
  cert: string;
  key: string;
}

/** A certificate the gateway holds, for display and expiry warnings. */
export interface HeldCertificate {
  role: 'server' | 'client-ca';
  file: string;
  info: CertificateInfo;
}

interface Loaded {
  server: ServerCredentials | undefined;
  clientCaPems: string[];
  held: HeldCertificate[];
}

async function readVariable(variable: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${variable}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
}

async function certificatesIn(variable: string, file: string, pem: string): Promise<CertificateInfo[]> {
  try {
    return await parseCertificates(pem);
  } catch (err) {
    if (err instanceof CertificateError) throw new ConfigError([`${variable}: ${file} ${err.message}`]);
    throw err;
  }
}

async function loadFiles(config: Pick<Config, 'tls' | 'tlsClientCaFile'>): Promise<Loaded> {
  const held: HeldCertificate[] = [];
  let server: ServerCredentials | undefined;
  if (config.tls) {
    const { certFile, keyFile } = config.tls;
    server = { cert: await readVariable('TLS_CERT_FILE', certFile), key: await readVariable('TLS_KEY_FILE', keyFile) };
    const [leaf] = await certificatesIn('TLS_CERT_FILE', certFile, server.cert);
    held.push({ role: 'server', file: certFile, info: leaf! });
    try {
      createPrivateKey(server.key);
      // Refuses a key that does not belong to the certificate, as HTTPS would at the first handshake.
      tls.createSecureContext(server);
    } catch (err) {
      throw new ConfigError([`TLS_KEY_FILE: ${keyFile} is not the private key of ${certFile}: ${(err as Error).message}`]);
    }
  }
  let clientCaPems: string[] = [];
  if (config.tlsClientCaFile) {
    const pem = await readVariable('TLS_CLIENT_CA_FILE', config.tlsClientCaFile);
    for (const info of await certificatesIn('TLS_CLIENT_CA_FILE', config.tlsClientCaFile, pem)) held.push({ role: 'client-ca', file: config.tlsClientCaFile, info });
    clientCaPems = [pem];
  }
  return { server, clientCaPems, held };
}

/** How long a verified client certificate is believed without checking again (the CA file may change). */
const VERDICT_TTL_MS = 60_000;
const MAX_VERDICTS = 1000;

export class TlsCredentials {
  #loaded: Loaded;
  readonly #config: Pick<Config, 'tls' | 'tlsClientCaFile'>;
  readonly #log: Logger;
  readonly #reloads: Counter<'outcome'>;
  readonly #listeners = new Set<(server: ServerCredentials) => void>();
  /** Client certificates verified lately, by the SHA-256 of their bytes: a client sends the same one on every request. */
  readonly #verdicts = new Map<string, { verdict: ChainVerdict; until: number }>();

  private constructor(loaded: Loaded, config: Pick<Config, 'tls' | 'tlsClientCaFile'>, log: Logger, metrics: Metrics) {
    this.#loaded = loaded;
    this.#config = config;
    this.#log = log;
    this.#reloads = new Counter({
      name: 'webhook_gateway_tls_reloads_total',
      help: 'Re-readings of TLS_CERT_FILE, TLS_KEY_FILE and TLS_CLIENT_CA_FILE (SIGHUP), by outcome: ok, or failed (the files in use are kept)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /** Reads the files; throws ConfigError naming the variable of a file that is missing or bad. */
  static async load(config: Pick<Config, 'tls' | 'tlsClientCaFile'>, log: Logger, metrics: Metrics): Promise<TlsCredentials> {
    return new TlsCredentials(await loadFiles(config), config, log, metrics);
  }

  get server(): ServerCredentials | undefined {
    return this.#loaded.server;
  }

  /** Whether client certificates can be verified at all (TLS_CLIENT_CA_FILE is set). */
  get verifiesClients(): boolean {
    return this.#loaded.clientCaPems.length > 0;
  }

  get clientCaPems(): string[] {
    return this.#loaded.clientCaPems;
  }

  /** The server certificate and every client CA, for the certificate-expiry gauge. */
  held(): HeldCertificate[] {
    return this.#loaded.held;
  }

  /** Called with the new server certificate after each reload that changed it (the HTTPS server's secure context). */
  onServerChange(listener: (server: ServerCredentials) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-reads every file; on any problem keeps what is in use and returns false. */
  async reload(): Promise<boolean> {
    let next: Loaded;
    try {
      next = await loadFiles(this.#config);
    } catch (err) {
      this.#reloads.inc({ outcome: 'failed' });
      this.#log.error({ problems: err instanceof ConfigError ? err.problems : [(err as Error).message] }, 'TLS reload failed: the certificates in use are kept');
      return false;
    }
    this.#loaded = next;
    this.#verdicts.clear();
    if (next.server) for (const listener of this.#listeners) listener(next.server);
    this.#reloads.inc({ outcome: 'ok' });
    this.#log.info({ certificates: next.held.map((h) => ({ role: h.role, subject: h.info.subject, fingerprintSha256: h.info.fingerprintSha256, notAfter: h.info.notAfter })) }, 'TLS certificates reloaded');
    return true;
  }

  /** Whether a client certificate (PEM or DER) chains to TLS_CLIENT_CA_FILE, may be used by a client and is valid now. */
  async verifyClient(cert: string | Uint8Array, now = new Date()): Promise<ChainVerdict> {
    const key = createHash('sha256').update(cert).digest('base64');
    const hit = this.#verdicts.get(key);
    if (hit && hit.until > now.getTime()) return hit.verdict;
    const verdict = await verifyChain(cert, this.#loaded.clientCaPems, now, { usage: 'clientAuth' });
    // A good verdict lasts no longer than the certificate; a bad one (unknown CA, garbage) as long as the TTL.
    const until = Math.min(now.getTime() + VERDICT_TTL_MS, verdict.ok ? verdict.info.notAfter.getTime() : Infinity);
    if (this.#verdicts.size >= MAX_VERDICTS) this.#verdicts.clear();
    this.#verdicts.set(key, { verdict, until });
    return verdict;
  }
}
