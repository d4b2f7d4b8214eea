// Process entry (bin/webhook-gateway.mjs checks the Node version first): parse config, start the
// roles, shut down cleanly on SIGTERM/SIGINT with exit code 0, re-read the TLS files on SIGHUP.
import { consoleLinkUrl } from '../auth/console-links.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { EmbeddedPostgresError } from '../platform/db/embedded.ts';
import { MigrationError } from '../platform/db/migrator.ts';
import { createLogger } from '../platform/logger.ts';
import { FIRST_LINK_TTL_MINUTES } from '../workspaces/bootstrap.ts';
import { startService } from './service.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const log = createLogger(config.logLevel);
let service;
try {
  service = await startService(config, log);
} catch (err) {
  if (err instanceof ConfigError) {
    // A setting that only the database can judge (REPLAY_WINDOW_HOURS against stored triggers).
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const known = err instanceof EmbeddedPostgresError || err instanceof MigrationError;
  log.fatal({ err: { message: (err as Error).message, ...(known ? {} : { stack: (err as Error).stack }) } }, 'start-up failed');
  process.exit(1);
}

if (service.bootstrap) {
  // Printed once, on the first start only; never logged.
  process.stdout.write(
    `\nCreated the default workspace ${service.bootstrap.workspaceId} and its ADMIN API key:\n\n` +
      `    ${service.bootstrap.adminKey}\n\n` +
      `It is shown only now; a copy is in ${service.bootstrap.keyFile} (mode 0600).\n\n` +
      `Open the console (this link signs in once, as ADMIN, within ${FIRST_LINK_TTL_MINUTES} minutes):\n\n` +
      `    ${consoleLinkUrl(config.publicUrl, service.bootstrap.consoleLinkToken)}\n\n` +
      'A new link: npm run cli -- console-link. Or paste the key at ' + `${config.publicUrl}/console/\n\n`,
  );
} else if (service.url) {
  process.stdout.write(`\nConsole: ${config.publicUrl}/console/ (sign in with an API key, or a link from npm run cli -- console-link)\n\n`);
}
log.info({ role: config.role, url: service.url, tlsUrl: service.tlsUrl, publicUrl: config.publicUrl }, 'webhook gateway started');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: draining requests and jobs');
  const hardStop = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs * 2 + 5000);
  hardStop.unref();
  await service.stop();
  log.info('stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// Renewed certificates (certbot, cert-manager) are picked up without dropping a connection; the
// reload logs its outcome and counts it in webhook_gateway_tls_reloads_total.
process.on('SIGHUP', () => {
  log.info({ signal: 'SIGHUP' }, 're-reading the TLS files');
  void service.reloadTls();
});
