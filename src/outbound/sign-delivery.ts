// Outbound request headers (SPEC §7): `webhook-id` is the event id, the same on every attempt and
// for every subscriber; `webhook-timestamp` and `webhook-signature` are fresh per attempt, with one
// `v1,<base64>` per active secret so a receiver mid-rotation verifies with either. The loop marker
// (SPEC §15) names this deployment, so its own /hooks can refuse what it sent itself, and the hop:
// one more than the event's (a ping's is 1).
import { markerHeaders } from '../signing/loop-marker.ts';
import { signStandardWebhooks } from '../signing/schemes.ts';
import { USER_AGENT } from '../platform/http-client.ts';

export function deliveryHeaders(
  eventId: string, body: string, secrets: string[], custom: Array<{ name: string; value: string }>,
  marker: { deploymentId: string; hops: number }, nowSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const headers: Record<string, string> = {};
  // Custom headers first, so they can never override the signature headers or the marker.
  for (const h of custom) headers[h.name.toLowerCase()] = h.value;
  Object.assign(headers, {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': eventId,
    'webhook-timestamp': String(nowSeconds),
    'webhook-signature': secrets.map((s) => signStandardWebhooks(s, eventId, nowSeconds, body)).join(' '),
    ...markerHeaders(marker.deploymentId, marker.hops),
  });
  return headers;
}
