// Webhook loop marker (SPEC §15). Every delivery and ping names the deployment that sent it and how
// many gateway hops it has made; /hooks refuses a request that this deployment sent itself (a
// subscription pointing back at our own /hooks through some alias starts a session per delivery,
// each emitting events that are delivered again: an event storm) or one past MAX_HOPS. Requests
// from another deployment of this gateway, with another MASTER_KEY, pass, and the count travels on:
// the session a request starts keeps it, and the deliveries of that session's events say one more,
// so a loop between deployments (A's subscription to B's /hooks and B's to A's) ends too.
import { hkdfSync } from 'node:crypto';

export const DEPLOYMENT_HEADER = 'webhook-gateway-deployment';
export const HOPS_HEADER = 'webhook-gateway-hops';
export const MAX_HOPS = 3;

/**
 * A short id, stable for as long as MASTER_KEY is: every replica of a deployment shares it, and it
 * is sent to every subscriber, so it is derived one way (HKDF) and says nothing about the key.
 */
export function deploymentId(masterKey: Buffer): string {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'webhook-gateway deployment id v1', 12)).toString('base64url');
}

/**
 * The marker of a request this deployment sends: a delivery says one hop more than the event it
 * carries (event.hops: the count of the /hooks request that started the session it is about, 0
 * without one), so a loop through other deployments of this gateway still ends past MAX_HOPS; a
 * ping, about no session, says 1.
 */
export const markerHeaders = (ownId: string, hops = 1): Record<string, string> => ({ [DEPLOYMENT_HEADER]: ownId, [HOPS_HEADER]: String(hops) });

type HeaderValues = Record<string, string | string[] | undefined>;

const values = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => s.split(',')).map((s) => s.trim());

/**
 * The hop count a request says it has made: the largest of its values, 0 without one. A value that
 * is not a count is not ours to judge, and counts as none.
 */
const requestHops = (headers: HeaderValues): number =>
  Math.max(0, ...values(headers[HOPS_HEADER]).filter((s) => /^\d{1,9}$/.test(s)).map(Number));

/**
 * An inbound request's hop count (requestHops), and why it is refused as a loop (`problem`,
 * undefined when it is not). Repeated headers count each value.
 */
export function loopCheck(headers: HeaderValues, ownId: string): { hops: number; problem: string | undefined } {
  const hops = requestHops(headers);
  if (values(headers[DEPLOYMENT_HEADER]).includes(ownId)) {
    return { hops, problem: `this request was sent by this gateway itself (${DEPLOYMENT_HEADER}); a subscription points at its own /hooks` };
  }
  if (hops > MAX_HOPS) return { hops, problem: `the request has made ${hops} gateway hops (${HOPS_HEADER}); at most ${MAX_HOPS} are accepted` };
  return { hops, problem: undefined };
}
