// Why a request got no HTTP answer, as the error class an attempt records (SPEC §7) and a reason a
// subscriber can act on. The codes are OpenSSL's verification results as Node names them, Node's
// own TLS errors, TLS alerts the receiver sent (ERR_SSL_..._ALERT_<name>), and resolver errors.

export interface Failure {
  errorClass: string;
  errorReason: string | null;
}

const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_CHAIN_TOO_LONG', 'INVALID_CA',
]);

/** Alerts from a receiver that refused the handshake, by the name in Node's code. */
const ALERTS: Record<string, string> = {
  CERTIFICATE_REQUIRED: 'it requires a client certificate (set tls.clientCertificatePem and tls.clientKeyPem)',
  UNKNOWN_CA: 'it does not trust the CA of our client certificate',
  BAD_CERTIFICATE: 'it rejected our client certificate',
  CERTIFICATE_UNKNOWN: 'it rejected our client certificate',
  UNSUPPORTED_CERTIFICATE: 'it rejected our client certificate',
  CERTIFICATE_EXPIRED: 'it says our client certificate has expired',
  CERTIFICATE_REVOKED: 'it says our client certificate was revoked',
  ACCESS_DENIED: 'it denied access to our client certificate',
  HANDSHAKE_FAILURE: 'no protocol version, cipher or certificate both sides accept',
  PROTOCOL_VERSION: 'no TLS version both sides accept',
  INSUFFICIENT_SECURITY: 'no cipher both sides accept',
};

function tlsReason(code: string, err: { message?: string; reason?: string }): string | undefined {
  if (UNKNOWN_CA.has(code)) return `unknown CA: the receiver's certificate is not signed by a CA this subscription trusts; add its CA to tls.caCertificatesPem (${code})`;
  if (code === 'CERT_HAS_EXPIRED') return `expired: the receiver's certificate has expired (${code})`;
  if (code === 'CERT_NOT_YET_VALID') return `the receiver's certificate is not valid yet (${code})`;
  if (code === 'CERT_REVOKED') return `the receiver's certificate was revoked (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `hostname mismatch: the receiver's certificate does not name this host; ${err.reason ?? err.message} (${code})`;
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code)?.[1];
  if (alert) return `handshake refused by the receiver: ${ALERTS[alert] ?? `TLS alert ${alert.toLowerCase()}`} (${code})`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `handshake failed: the receiver does not speak TLS on this port (plain HTTP?) (${code})`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT') || code === 'EPROTO') return `handshake failed: ${err.reason ?? firstLine(err.message)} (${code})`;
  // Node's words for a peer that hung up before the handshake finished.
  if (code === 'ECONNRESET' && /secure TLS connection/.test(err.message ?? '')) return 'handshake refused: the receiver closed the connection during the TLS handshake (ECONNRESET)';
  return undefined;
}

const firstLine = (message: string | undefined) => (message ?? '').split('\n')[0]!.replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '').slice(0, 200);

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME', 'EREFUSED', 'ETIMEOUT', 'ECONNREFUSED']);

export function describeFailure(err: unknown, url: string, undiciTimeout: boolean, timeoutMs: number): Failure {
  const e = err as { code?: string; name?: string; message?: string; reason?: string; syscall?: string; hostname?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  if (undiciTimeout || e.name === 'TimeoutError' || e.name === 'AbortError') return { errorClass: 'TIMEOUT', errorReason: `no complete answer from ${host} within ${timeoutMs} ms` };
  if (code === 'ETARGETREFUSED') return { errorClass: 'TARGET_REFUSED', errorReason: firstLine(e.message) };
  // Resolver errors name their query (getaddrinfo, queryA, ...): an ECONNREFUSED there is the DNS server's.
  if (DNS_CODES.has(code) && (e.syscall === 'getaddrinfo' || e.syscall?.startsWith('query') || code !== 'ECONNREFUSED')) {
    return { errorClass: 'DNS', errorReason: `${e.hostname ?? new URL(url).hostname} does not resolve (${code})` };
  }
  if (code === 'ECONNREFUSED') return { errorClass: 'CONNECTION_REFUSED', errorReason: `${host} refused the connection` };
  const tls = tlsReason(code, e);
  if (tls) return { errorClass: 'TLS', errorReason: tls };
  return { errorClass: 'NETWORK', errorReason: `${firstLine(e.message) || 'the connection failed'}${code ? ` (${code})` : ''}` };
}
