import { pino, type Logger } from 'pino';

// Structured JSON logs (SPEC §11). Redaction is a second line of defence: no code path logs
// secrets, keys, signatures or payloads on purpose.
const REDACT = [
  'secret', '*.secret', 'key', '*.key', 'apiKey', '*.apiKey', 'adminKey', '*.adminKey',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'signature', '*.signature', 'payload', '*.payload', 'body', '*.body', 'masterKey', '*.masterKey',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'webhook-gateway' }, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination as never,
  );
}
