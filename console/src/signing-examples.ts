// Ready-to-run senders for a trigger (curl, Node, Python), filled in with its URL, scheme and
// secret: the snippets sign the exact bytes they send, as the gateway verifies them (SPEC §5).
export interface SigningTarget {
  url: string;
  scheme: string;
  secret: string;
  hmac?: { header: string; encoding: string; prefix?: string | null } | null;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const literal = (s: string) => JSON.stringify(s);

export function curlExample(t: SigningTarget, body: string): string {
  const head = [`URL=${shellQuote(t.url)}`, `SECRET=${shellQuote(t.secret)}`, `BODY=${shellQuote(body)}`, 'TS=$(date +%s)'];
  const post = (headers: string[]) => [`curl -sS -X POST "$URL" -H 'content-type: application/json' \\`, ...headers.map((h) => `  -H ${h} \\`), '  --data-binary "$BODY"'];
  const hmacHex = (msg: string) => `$(printf '%s' ${msg} | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)`;
  switch (t.scheme) {
    case 'GITHUB':
      return [...head, `SIG=${hmacHex('"$BODY"')}`, ...post(['"X-Hub-Signature-256: sha256=$SIG"', "'X-GitHub-Event: push'", '"X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)"'])].join('\n');
    case 'STRIPE':
      return [...head, `SIG=${hmacHex('"$TS.$BODY"')}`, ...post(['"Stripe-Signature: t=$TS,v1=$SIG"'])].join('\n');
    case 'SLACK':
      return [...head, `SIG=${hmacHex('"v0:$TS:$BODY"')}`, ...post(['"X-Slack-Request-Timestamp: $TS"', '"X-Slack-Signature: v0=$SIG"'])].join('\n');
    case 'HMAC_SHA256': {
      const h = t.hmac ?? { header: 'X-Signature', encoding: 'HEX' };
      const sig = h.encoding === 'BASE64'
        ? `$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64)`
        : hmacHex('"$BODY"');
      return [...head, `SIG=${sig}`, ...post([`"${h.header}: ${h.prefix ?? ''}$SIG"`])].join('\n');
    }
    default:
      return [
        ...head, 'ID="msg_$(date +%s%N)"',
        `KEY=$(printf '%s' "\${SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \\n')`,
        `SIG=$(printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$KEY" -binary | base64)`,
        ...post(['"webhook-id: $ID"', '"webhook-timestamp: $TS"', '"webhook-signature: v1,$SIG"']),
      ].join('\n');
  }
}

export function nodeExample(t: SigningTarget, body: string): string {
  const lines = [
    "import { createHmac, randomUUID } from 'node:crypto';",
    '',
    `const url = ${literal(t.url)};`,
    `const secret = ${literal(t.secret)};`,
    `const body = JSON.stringify(${body.trim() || '{}'});`,
    'const ts = Math.floor(Date.now() / 1000);',
    "const hmac = (key, text, encoding = 'hex') => createHmac('sha256', key).update(text).digest(encoding);",
  ];
  let headers: string;
  switch (t.scheme) {
    case 'GITHUB':
      headers = "{ 'X-Hub-Signature-256': `sha256=${hmac(secret, body)}`, 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': randomUUID() }";
      break;
    case 'STRIPE':
      headers = "{ 'Stripe-Signature': `t=${ts},v1=${hmac(secret, `${ts}.${body}`)}` }";
      break;
    case 'SLACK':
      headers = "{ 'X-Slack-Request-Timestamp': String(ts), 'X-Slack-Signature': `v0=${hmac(secret, `v0:${ts}:${body}`)}` }";
      break;
    case 'HMAC_SHA256': {
      const h = t.hmac ?? { header: 'X-Signature', encoding: 'HEX' };
      headers = `{ ${literal(h.header)}: ${literal(h.prefix ?? '')} + hmac(secret, body, ${literal(h.encoding === 'BASE64' ? 'base64' : 'hex')}) }`;
      break;
    }
    default:
      lines.push('const id = `msg_${randomUUID()}`;', "const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');");
      headers = "{ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${hmac(key, `${id}.${ts}.${body}`, 'base64')}` }";
  }
  lines.push(
    `const headers = ${headers};`,
    "const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });",
    'console.log(res.status, await res.text());',
  );
  return lines.join('\n');
}

export function pythonExample(t: SigningTarget, body: string): string {
  const lines = [
    'import base64, hashlib, hmac, json, time, urllib.request, uuid',
    '',
    `url = ${literal(t.url)}`,
    `secret = ${literal(t.secret)}`,
    `body = json.dumps(json.loads(${literal(body.trim() || '{}')}), separators=(",", ":")).encode()`,
    'ts = str(int(time.time()))',
    'def sign(key, msg): return hmac.new(key, msg, hashlib.sha256)',
  ];
  switch (t.scheme) {
    case 'GITHUB':
      lines.push('headers = {"X-Hub-Signature-256": "sha256=" + sign(secret.encode(), body).hexdigest(), "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4())}');
      break;
    case 'STRIPE':
      lines.push('headers = {"Stripe-Signature": f"t={ts},v1=" + sign(secret.encode(), ts.encode() + b"." + body).hexdigest()}');
      break;
    case 'SLACK':
      lines.push('headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + sign(secret.encode(), b"v0:" + ts.encode() + b":" + body).hexdigest()}');
      break;
    case 'HMAC_SHA256': {
      const h = t.hmac ?? { header: 'X-Signature', encoding: 'HEX' };
      const digest = h.encoding === 'BASE64' ? 'base64.b64encode(sign(secret.encode(), body).digest()).decode()' : 'sign(secret.encode(), body).hexdigest()';
      lines.push(`headers = {${literal(h.header)}: ${literal(h.prefix ?? '')} + ${digest}}`);
      break;
    }
    default:
      lines.push(
        'msg_id = "msg_" + uuid.uuid4().hex',
        'key = base64.b64decode(secret.removeprefix("whsec_"))',
        'sig = base64.b64encode(sign(key, f"{msg_id}.{ts}.".encode() + body).digest()).decode()',
        'headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": "v1," + sig}',
      );
  }
  lines.push(
    'req = urllib.request.Request(url, data=body, method="POST", headers={"content-type": "application/json", **headers})',
    'with urllib.request.urlopen(req) as res:',
    '    print(res.status, res.read().decode())',
  );
  return lines.join('\n');
}

/** A fresh secret in the form the scheme expects (Standard Webhooks: whsec_<base64>). */
export function generateSecret(scheme: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  if (scheme === 'STANDARD_WEBHOOKS') return `whsec_${btoa(String.fromCharCode(...bytes))}`;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return scheme === 'STRIPE' ? `whsec_${hex}` : hex;
}
