// The console in a real browser (SPEC §13): Debian's Chromium driven by playwright-core against a
// real gateway serving the real build. `npm run test:browser` (outside `npm test`, which must pass
// on a machine without a browser). Screenshots go to docs/console/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { LISTEN_APPLICATION_NAME } from '../src/platform/realtime.ts';
import { signStandardWebhooks } from '../src/signing/schemes.ts';
import { type Receiver, startReceiver } from '../test/support/receiver.ts';
import { gqlOk, startTestService, type TestService } from '../test/support/service.ts';
import { until } from '../test/support/wait.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../docs/console/', import.meta.url));
const XSS = '<img src=x onerror=alert(1)>';

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = net.createServer().once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo;
    server.close(() => resolve(port));
  });
});

describe('the console in Chromium', () => {
  let svc: TestService;
  let receiver: Receiver;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Every URL any page asked for, and every CSP violation or dialog: checked at the end. */
  const requested: string[] = [];
  const violations: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    mkdirSync(SHOTS, { recursive: true });
    // A port known before start, so the links and trigger URLs the gateway makes (PUBLIC_URL) are the ones it serves.
    const port = await freePort();
    svc = await startTestService({
      PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true',
      // Retries soon enough for a failed attempt's retry to be watched arriving.
      DELIVERY_RETRY_SCHEDULE: '1s,1s,1s,1s',
    });
    receiver = await startReceiver();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await receiver?.close();
    await svc?.stop();
  });

  async function newPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('websocket', (ws) => requested.push(ws.url()));
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return page;
  }

  const links = new Map<string, string>();
  async function link(role: 'ADMIN' | 'VIEWER'): Promise<string> {
    const { createConsoleLink } = await gqlOk(svc.url, svc.adminKey, 'mutation($r: ApiKeyRole!) { createConsoleLink(input: {role: $r}) { id url } }', { r: role });
    links.set(createConsoleLink.url, createConsoleLink.id);
    return createConsoleLink.url;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

  let admin: Page;
  let triggerUrl = '';
  let triggerSecret = '';

  it('signs in by link on the overview, shows the workspace name and the seven pages, and takes the token out of the address bar', async () => {
    admin = await newPage();
    await admin.goto(await link('ADMIN'));
    await admin.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(new URL(admin.url()).hash, '');
    assert.match(await admin.getByLabel('Workspace').innerText(), /default/);
    const nav = admin.getByRole('navigation', { name: 'Pages' });
    for (const name of ['Overview', 'Triggers', 'Subscriptions', 'Deliveries', 'Audit log', 'API keys', 'Events']) {
      assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
    }
    await nav.getByRole('link', { name: 'Deliveries', exact: true }).click();
    await admin.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await nav.getByRole('link', { name: 'Triggers', exact: true }).click();
    await shot(admin, 'triggers-empty');
  });

  it('creates a trigger through the form: URL and secret shown once, and a webhook signed with them is accepted', async () => {
    await admin.getByRole('button', { name: 'New trigger' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('github-pr');
    await admin.getByLabel('Agent', { exact: true }).fill('reviewer');
    await admin.getByRole('button', { name: 'Add input' }).click();
    await admin.getByLabel('Input name').fill('number');
    await admin.getByLabel('JSONPath', { exact: true }).fill('$.pull_request.number');
    await admin.getByLabel('Type').selectOption('NUMBER');
    await admin.getByLabel('Sample payload (for the preview)').fill('{"pull_request": {"number": 42}}');
    await admin.getByRole('table', { name: 'Mapping preview' }).getByText('42').waitFor();
    await shot(admin, 'trigger-new');
    // An error the API ties to a field (extensions.field) is shown beside that field.
    await admin.getByLabel('Name', { exact: true }).fill('github pr');
    await admin.getByRole('button', { name: 'Create' }).click();
    const nameField = admin.getByLabel('Name', { exact: true });
    await admin.locator('.field', { has: nameField }).getByText('may hold letters, digits').waitFor();
    assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
    await nameField.fill('github-pr');
    await admin.getByRole('button', { name: 'Create' }).click();

    await admin.getByRole('heading', { name: 'Trigger github-pr created' }).waitFor();
    triggerUrl = await admin.getByLabel('Webhook URL').innerText();
    triggerSecret = await admin.getByLabel('Signing secret').innerText();
    assert.match(triggerUrl, /\/hooks\/trg_\w+$/);
    assert.match(triggerSecret, /^whsec_/);
    assert.ok((await admin.getByRole('tabpanel').innerText()).includes(triggerSecret), 'the curl example carries the secret');
    await shot(admin, 'trigger-created');
    // The Node.js example, as shown, sends a webhook the gateway accepts.
    await admin.getByRole('tab', { name: 'Node.js' }).click();
    const example = await admin.getByRole('tabpanel').innerText();
    const ran = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', example], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))));
    assert.match(ran, /^202 /);

    const body = JSON.stringify({ pull_request: { number: 42 } });
    const send = async (n: number) => {
      const ts = Math.floor(Date.now() / 1000);
      const id = `msg_browser_${ts}_${n}`;
      const res = await fetch(triggerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhooks(triggerSecret, id, ts, body) },
        body,
      });
      assert.equal(res.status, 202, await res.text());
    };
    await admin.getByRole('link', { name: 'Go to the trigger' }).click();
    const accepted = admin.getByRole('table', { name: 'Requests' }).getByText('ACCEPTED');
    // The example's request, from the list the page loaded; rows after it can only come over
    // graphql-ws. A subscription starts a moment after its socket opens (no acknowledgement says
    // when), so requests are sent until one shows, a bounded number of times.
    await accepted.first().waitFor();
    for (let n = 1; ; n++) {
      await send(n);
      const shown = await accepted.nth(1).waitFor({ timeout: 2000 }).then(() => true, () => false);
      if (shown) break;
      assert.ok(n < 10, 'no request arrived over graphql-ws');
    }
    // A refused request arrives live too, with its refusal code and reason.
    const refused = await fetch(triggerUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' }, body });
    assert.equal(refused.status, 401);
    const refusedRow = admin.locator('tr[data-request]', { has: admin.locator('[data-status="REFUSED"]') });
    await refusedRow.first().waitFor();
    assert.match(await refusedRow.first().innerText(), /[A-Z_]{4,}/);
    await shot(admin, 'trigger-detail');
    await admin.setViewportSize({ width: 390, height: 900 });
    await shot(admin, 'trigger-detail-phone');
    await admin.setViewportSize({ width: 1280, height: 900 });
    // A request's page: mapped inputs, its session, and the events that followed.
    await admin.locator('tr[data-request]', { has: admin.locator('[data-status="ACCEPTED"]') }).first().getByRole('link').click();
    await admin.getByRole('heading', { name: /^Request ind_/ }).waitFor();
    await admin.getByText('"number": 42').waitFor();
    await admin.getByRole('table', { name: 'Events of the session' }).getByText('session.created').waitFor();
    await shot(admin, 'inbound-request');
    await admin.getByRole('link', { name: '← github-pr' }).click();
    await admin.getByLabel('Request body').waitFor();
  });

  it('runs a dry run showing each check, and rotates the secret showing the new one and the old one\'s expiry', async () => {
    await admin.getByLabel('Request body').fill('{}');
    await admin.getByRole('button', { name: 'Run dry run' }).click();
    const checks = admin.getByRole('table', { name: 'Checks' });
    await checks.getByText('signature').waitFor();
    assert.match(await checks.innerText(), /failed/);
    await admin.getByRole('button', { name: 'Rotate secret' }).click();
    await admin.getByRole('button', { name: 'Yes, rotate' }).click();
    const rotated = await admin.getByLabel('New signing secret (shown only now)').innerText();
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, triggerSecret);
    await admin.getByText('The previous secret stays valid until').waitFor();
    await shot(admin, 'trigger-rotated');

    // Resync: the secret the sender holds becomes current; a refused one is named beside its field.
    const held = admin.getByLabel('Secret the sender holds');
    await held.fill('too-short');
    await admin.getByRole('button', { name: 'Resync secret' }).click();
    await admin.getByRole('button', { name: 'Yes, resync' }).click();
    await admin.locator('.field', { has: held }).getByText(/characters|whsec_/).waitFor();
    const senders = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    await held.fill(senders);
    await admin.getByRole('button', { name: 'Resync secret' }).click();
    await admin.getByRole('button', { name: 'Yes, resync' }).click();
    await until(async () => (await admin.getByLabel('New signing secret (shown only now)').innerText()) === senders, 'the resynced secret shown');
    const body = JSON.stringify({ pull_request: { number: 43 } });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(triggerUrl, { method: 'POST', body, headers: {
      'content-type': 'application/json', 'webhook-id': `msg_resync_${ts}`, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhooks(senders, `msg_resync_${ts}`, ts, body),
    } });
    assert.equal(res.status, 202, 'a webhook signed with the resynced secret is accepted');
  });

  it('edits, disables and enables a trigger, and deletes one after asking', async () => {
    await admin.getByRole('button', { name: 'Edit', exact: true }).click();
    await admin.getByLabel('Agent', { exact: true }).fill('reviewer-v2');
    await admin.getByLabel('Require a client certificate').check();
    await admin.getByLabel('Certificate subject').fill('CN=billing, O=Acme');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('reviewer-v2', { exact: true }).waitFor();
    // Saved as the gateway compares it (RFC 4514, normalised), then removed again.
    await admin.getByText('required, subject CN=billing,O=Acme').waitFor();
    await admin.getByRole('button', { name: 'Edit', exact: true }).click();
    await admin.getByLabel('Require a client certificate').uncheck();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('not required', { exact: true }).waitFor();
    await admin.getByRole('button', { name: 'Disable', exact: true }).click();
    await admin.getByText('disabled', { exact: true }).waitFor();
    await admin.getByRole('button', { name: 'Enable', exact: true }).click();
    await admin.getByText('enabled', { exact: true }).waitFor();

    await gqlOk(svc.url, svc.adminKey, 'mutation { createTrigger(input: {name: "to-delete", agent: "a", inputs: []}) { trigger { id } } }');
    await admin.getByRole('link', { name: '← Triggers' }).click();
    await admin.getByRole('link', { name: 'to-delete' }).click();
    await admin.getByRole('button', { name: 'Delete', exact: true }).click();
    await admin.getByText('Delete trigger to-delete? Its URL stops working at once.').waitFor();
    await admin.getByRole('button', { name: 'Yes, delete' }).click();
    await admin.getByRole('heading', { name: 'Triggers' }).waitFor();
    await admin.getByRole('link', { name: 'github-pr' }).waitFor();
    assert.equal(await admin.getByRole('link', { name: 'to-delete' }).count(), 0);
  });

  it('creates a subscription to a local receiver and sees it ACTIVE; a receiver\'s HTML answer is shown as text', async () => {
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await admin.getByRole('button', { name: 'New subscription' }).click();
    await admin.getByLabel('URL', { exact: true }).fill(`${receiver.url}/events`);
    await admin.getByLabel('tool.*').check();
    await admin.getByRole('note').waitFor();
    await admin.getByLabel('tool.*').uncheck();
    await admin.getByLabel('session.finished', { exact: true }).check();
    await shot(admin, 'subscription-new');
    await admin.getByRole('button', { name: 'Create' }).click();
    await admin.getByText('Verification ping: ACTIVE').waitFor();
    await admin.getByRole('link', { name: 'Go to the subscription' }).click();

    receiver.respond(() => ({ status: 200, headers: { 'content-type': 'text/html' }, body: XSS }));
    await admin.getByRole('button', { name: 'Send test event' }).click();
    const shown = admin.locator('pre.response-body');
    await shown.waitFor({ timeout: 20_000 });
    assert.equal(await shown.innerText(), XSS);
    assert.equal(await admin.locator('pre.response-body img').count(), 0);
    await shot(admin, 'subscription-detail');
    receiver.respond(() => ({ status: 200, body: 'ok' }));
  });

  it('shows deliveries live: new rows, a 500 then a 200 changing a row in place, Redeliver, and recovery after the LISTEN connection is killed', async () => {
    const { createWebhookSubscription: { subscription } } = await gqlOk(svc.url, svc.adminKey,
      'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id url } } }',
      { i: { url: `${receiver.url}/live`, events: ['import.*'] } });
    const { createApiKey: { key: publisher } } = await gqlOk(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "live", role: PUBLISHER}) { key } }');
    let answer: 200 | 500 | 'odd-fails' = 200;
    receiver.respond((req) => {
      const { type, data } = JSON.parse(req.body) as { type: string; data: { itemsImported?: number } };
      const status = type !== 'import.completed' ? 200 : answer === 'odd-fails' ? ((data.itemsImported ?? 0) % 2 === 1 ? 500 : 200) : answer;
      return { status, body: status === 200 ? 'ok' : 'receiver down' };
    });
    let n = 0;
    const publish = async () => {
      n += 1;
      const { publishEvent } = await gqlOk(svc.url, publisher, 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }',
        { i: { type: 'import.completed', data: { importId: `imp-${n}`, source: 'browser', itemsImported: n, itemsFailed: 0 } } });
      const { deliveries } = await gqlOk(svc.url, svc.adminKey, 'query($e: ID!, $s: ID!) { deliveries(filter: {eventId: $e, subscriptionId: $s}) { edges { node { id } } } }',
        { e: publishEvent.event.id, s: subscription.id });
      return deliveries.edges[0].node.id as string;
    };
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Deliveries', exact: true }).click();
    await admin.getByLabel('Subscription', { exact: true }).selectOption(subscription.id);
    const liveState = admin.getByRole('status', { name: 'Live updates' });
    await admin.locator('[role="status"][aria-label="Live updates"]', { hasText: /^Live$/ }).waitFor();
    // Set on this document: still there at the end means nothing reloaded or navigated.
    await admin.evaluate(() => Object.assign(globalThis, { liveMarker: 'unchanged' }));
    const row = (id: string) => admin.locator(`tr[data-delivery="${id}"]`);
    // The subscription starts a moment after the socket is up (no acknowledgement says when):
    // events are published until one's row appears, a bounded number of times.
    const arrived = async (id: string) => ((await row(id).waitFor({ timeout: 2000 }).then(() => true, () => false)) ? id : undefined);
    let first: string | undefined;
    for (let i = 1; !first; i++) {
      assert.ok(i <= 10, 'no delivery arrived over graphql-ws');
      first = await arrived(await publish());
    }
    await row(first).locator('[data-status="SUCCEEDED"]').waitFor();
    answer = 500;
    const retried = await publish();
    await row(retried).locator('[data-status="PENDING"]').waitFor();
    await row(retried).getByRole('cell', { name: '1', exact: true }).waitFor();
    await shot(admin, 'deliveries-live');
    answer = 200;
    await row(retried).locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    await row(retried).getByRole('cell', { name: '2', exact: true }).waitFor();
    assert.equal(await admin.evaluate(() => (globalThis as { liveMarker?: string }).liveMarker), 'unchanged');

    // The gateway's LISTEN connection dies: what was created meanwhile is never announced; the
    // gateway ends the stream when it listens again, and the page reloads its rows.
    const { rowCount } = await svc.services.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [LISTEN_APPLICATION_NAME]);
    assert.equal(rowCount, 1);
    const missed = [await publish(), await publish()];
    await admin.locator('[role="status"][aria-label="Live updates"]', { hasText: /reconnected at .*rows reloaded/ }).waitFor({ timeout: 20_000 });
    assert.match(await liveState.innerText(), /^Live/);
    for (const id of missed) await row(id).locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    assert.equal(await admin.evaluate(() => (globalThis as { liveMarker?: string }).liveMarker), 'unchanged');
    await shot(admin, 'deliveries');

    // A delivery's page: the attempts (the 500's body as text), Redeliver, the new attempt live.
    await row(retried).getByRole('link', { name: retried }).click();
    await admin.getByRole('heading', { name: `Delivery ${retried}` }).waitFor();
    await admin.locator('tr[data-attempt="2"]').waitFor();
    assert.match(await admin.locator('tr[data-attempt="1"]').innerText(), /500[\s\S]*receiver down/);
    await admin.getByRole('button', { name: 'Redeliver' }).click();
    await admin.locator('tr[data-attempt="3"]').locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 20_000 });
    await shot(admin, 'delivery-detail');

    // A burst, every other event failing until its retries run out: the charts draw it, and
    // Replay since queues the FAILED ones again.
    answer = 'odd-fails';
    const burst = await Promise.all(Array.from({ length: 12 }, () => publish()));
    const failedCount = async () => (await gqlOk(svc.url, svc.adminKey, 'query($s: ID!) { deliveries(first: 100, filter: {subscriptionId: $s, status: FAILED}) { edges { node { id } } } }',
      { s: subscription.id })).deliveries.edges.length as number;
    const settled = async () => (await gqlOk(svc.url, svc.adminKey, 'query($s: ID!) { deliveries(first: 100, filter: {subscriptionId: $s, status: PENDING}) { edges { node { id } } } }',
      { s: subscription.id })).deliveries.edges.length === 0;
    await until(settled, 'the burst settled', 30_000);
    const failed = await failedCount();
    assert.equal(failed, burst.length / 2);
    answer = 200;
    await admin.getByRole('link', { name: subscription.url }).first().click();
    const bars = admin.getByRole('img', { name: 'Attempts by outcome' });
    await bars.locator('rect.bar.bad').first().waitFor();
    assert.ok(await bars.locator('rect.bar.ok').count() > 0);
    assert.ok(await admin.getByRole('img', { name: 'Attempt latency' }).locator('circle').count() > 0);
    await admin.getByRole('button', { name: 'Replay', exact: true }).click();
    await admin.getByText(`${failed} deliveries queued again.`).waitFor();
    await shot(admin, 'subscription-charts');
    await admin.getByRole('button', { name: 'Last day' }).click();
    await admin.getByText(/attempts, per 15 minutes/).waitFor();

    // The overview: the hour's attempts by outcome, the failing subscription, the trigger with a refusal.
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview', exact: true }).click();
    await admin.getByRole('table', { name: 'Failing subscriptions' }).getByRole('link', { name: subscription.url }).waitFor();
    await admin.getByRole('table', { name: 'Triggers with refusals' }).getByRole('link', { name: 'github-pr' }).waitFor();
    assert.match(await admin.locator('.tile.bad').innerText(), /^[1-9]\d*\s+attempts failed/);
    await shot(admin, 'overview');
    await admin.getByRole('table', { name: 'Failing subscriptions' }).getByRole('link', { name: subscription.url }).click();
    await admin.getByRole('heading', { name: subscription.url }).waitFor();
  });

  it('reads the audit log with filters and keyset paging, verifies the chain keeping its head, and exports NDJSON', async () => {
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Audit log', exact: true }).click();
    const table = admin.getByRole('table', { name: 'Audit entries' });
    await table.locator('tr[data-audit]').first().waitFor();
    // The deliveries and requests above made more than a page of 50 rows: Older shows the next ones.
    const firstPage = await table.locator('tr[data-audit]').first().getAttribute('data-audit');
    await admin.getByRole('button', { name: 'Older' }).click();
    await table.locator(`tr[data-audit="${firstPage}"]`).waitFor({ state: 'detached' });
    await table.locator('tr[data-audit]').first().waitFor();
    await admin.getByRole('button', { name: 'Newer' }).click();
    await table.locator(`tr[data-audit="${firstPage}"]`).waitFor();
    await admin.getByLabel('Direction', { exact: true }).selectOption('INBOUND');
    await admin.getByRole('button', { name: 'Apply' }).click();
    await table.locator('tr[data-audit]', { hasText: 'OUTBOUND' }).first().waitFor({ state: 'detached' });
    const directions = await table.locator('tr[data-audit] td:nth-child(3)').allInnerTexts();
    assert.ok(directions.length > 0 && directions.every((d) => d === 'INBOUND'), directions.join());

    await admin.getByRole('button', { name: 'Verify chain' }).click();
    const result = admin.getByRole('status', { name: 'Verification result' });
    await result.getByText('Chain intact').waitFor();
    const head = await admin.getByLabel('Head to keep').innerText();
    assert.match(head, /^\d+:[0-9a-f]{64}$/);
    await admin.getByRole('button', { name: 'Keep in this browser' }).click();
    assert.equal(await admin.getByLabel('Expected head').inputValue(), head);
    // Verified again holding the kept head: still intact.
    await admin.getByRole('button', { name: 'Verify chain' }).click();
    await result.getByText('Chain intact').waitFor();
    await shot(admin, 'audit-log');

    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export NDJSON' }).click()]);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(await download.path(), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; direction: string });
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => l.id.startsWith('aud_') && l.direction === 'INBOUND'), 'the export carries the applied filter');
  });

  it('lists keys, console sessions and links on API keys, and the catalogue with schemas on Events', async () => {
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'API keys', exact: true }).click();
    await admin.getByRole('table', { name: 'API keys and console sessions' }).getByText('console session').first().waitFor();
    await shot(admin, 'api-keys');
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Events', exact: true }).click();
    await admin.getByText('session.finished', { exact: true }).click();
    await admin.getByRole('heading', { name: 'Sample data' }).first().waitFor();
    await shot(admin, 'events');
  });

  it('shows a VIEWER no create or change buttons; revoking its link signs it out with the reason', async () => {
    const viewer = await newPage(390);
    const viewerLink = await link('VIEWER');
    await viewer.goto(viewerLink);
    await viewer.getByRole('heading', { name: 'Overview' }).waitFor();
    await viewer.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Triggers', exact: true }).click();
    await viewer.getByRole('heading', { name: 'Triggers' }).waitFor();
    await viewer.getByRole('link', { name: 'github-pr' }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'New trigger' }).count(), 0);
    await shot(viewer, 'viewer-phone');
    await viewer.getByRole('link', { name: 'github-pr' }).click();
    await viewer.getByRole('heading', { name: 'Requests' }).waitFor();
    for (const name of ['Edit', 'Delete', 'Disable', 'Rotate secret']) assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, name);
    await viewer.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await viewer.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'New subscription' }).count(), 0);

    await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { revokeConsoleLink(input: {id: $id}) { id } }', { id: links.get(viewerLink) });
    await viewer.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Events', exact: true }).click();
    await viewer.getByText('Your session ended').waitFor();
  });

  it('refuses a used link and a revoked link with the reason, and a PUBLISHER key with why; signs in with a pasted key', async () => {
    const used = await link('VIEWER');
    const first = await newPage();
    await first.goto(used);
    await first.getByRole('heading', { name: 'Overview' }).waitFor();

    const again = await newPage();
    await again.goto(used);
    await again.getByRole('heading', { name: 'Sign in to the webhook gateway' }).waitFor();
    await again.getByText('This sign-in link was already used').waitFor();
    await shot(again, 'sign-in-used-link');

    const revokedUrl = await link('VIEWER');
    const { consoleLinks } = await gqlOk(svc.url, svc.adminKey, '{ consoleLinks(first: 100) { edges { node { id status } } } }');
    const unused = consoleLinks.edges.map((e: any) => e.node).filter((l: any) => l.status === 'UNUSED');
    for (const l of unused) await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { revokeConsoleLink(input: {id: $id}) { id } }', { id: l.id });
    const revoked = await newPage();
    await revoked.goto(revokedUrl);
    await revoked.getByText('This sign-in link was revoked').waitFor();

    await revoked.getByLabel('API key').fill('whk_not-a-key');
    await revoked.getByRole('button', { name: 'Sign in' }).click();
    await revoked.getByText('a valid API key is required').waitFor();
    const { createApiKey } = await gqlOk(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "runtime", role: PUBLISHER}) { key } }');
    await revoked.getByLabel('API key').fill(createApiKey.key);
    await revoked.getByRole('button', { name: 'Sign in' }).click();
    await revoked.getByText('A PUBLISHER key cannot sign in to the console').waitFor();

    await revoked.getByLabel('API key').fill(svc.adminKey);
    await revoked.getByRole('button', { name: 'Sign in' }).click();
    await revoked.getByRole('heading', { name: 'Overview' }).waitFor();
  });

  it('asks before a link replaces a signed-in session', async () => {
    await admin.goto(await link('VIEWER'));
    await admin.getByRole('heading', { name: 'Replace this session?' }).waitFor();
    await shot(admin, 'replace-session');
    await admin.getByRole('button', { name: 'Stay signed in' }).click();
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Triggers', exact: true }).click();
    await admin.getByRole('button', { name: 'New trigger' }).waitFor();
    const liveAdminSessions = async () => (await gqlOk(svc.url, svc.adminKey, '{ apiKeys(first: 100) { edges { node { kind role } } } }'))
      .apiKeys.edges.filter((e: any) => e.node.kind === 'CONSOLE_SESSION' && e.node.role === 'ADMIN').length;
    const before = await liveAdminSessions();
    await admin.goto(await link('VIEWER'));
    await admin.getByRole('button', { name: 'Use the link' }).click();
    await admin.getByText('VIEWER session').waitFor();
    await admin.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Triggers', exact: true }).click();
    await admin.getByRole('link', { name: 'github-pr' }).waitFor();
    assert.equal(await admin.getByRole('button', { name: 'New trigger' }).count(), 0);
    assert.equal(await liveAdminSessions(), before - 1, 'the replaced session was ended');
  });

  it('loaded nothing from another origin, broke no CSP rule and ran no injected script', async () => {
    const origin = new URL(svc.url);
    const foreign = requested.filter((u) => {
      const url = new URL(u);
      return url.host !== origin.host || !['http:', 'ws:'].includes(url.protocol);
    });
    assert.deepEqual(foreign, []);
    assert.ok(requested.some((u) => u.startsWith('ws:')), 'the live list used graphql-ws on the same origin');
    assert.deepEqual(violations, []);
    assert.deepEqual(dialogs, []);
  });
});
