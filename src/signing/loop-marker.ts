// Webhook loop marker (SPEC §15). Every delivery and ping names the deployment that sent it and how
// many gateway hops it has made; /hooks refuses a request that this deployment sent itself (a
// subscription pointing back at our own /hooks through some alias starts a session per delivery,
// each emitting events that are delivered again: an event storm) or one past MAX_HOPS. Requests
// from another deployment of this gateway, with another MASTER_KEY, pass.
import { hkdfSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

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
 * Sessions do not record the hop count of the /hooks request that started them, so every delivery
 * and ping says hop 1: refusing our own id is what stops a loop through ourselves; /hooks still
 * refuses a count past MAX_HOPS from any sender that carries one.
 */
export const markerHeaders = (ownId: string, hops = 1): Record<string, string> => ({ [DEPLOYMENT_HEADER]: ownId, [HOPS_HEADER]: String(hops) });

const values = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => s.split(',')).map((s) => s.trim());

/** Why an inbound request is refused as a loop, or undefined. Repeated headers count each value. */
export function loopProblem(headers: IncomingHttpHeaders, ownId: string): string | undefined {
  if (values(headers[DEPLOYMENT_HEADER]).includes(ownId)) {
    return `this request was sent by this gateway itself (${DEPLOYMENT_HEADER}); a subscription points at its own /hooks`;
  }
  // A value that is not a count is not ours to judge: only a count past the limit refuses.
  const hops = Math.max(0, ...values(headers[HOPS_HEADER]).filter((s) => /^\d{1,9}$/.test(s)).map(Number));
  if (hops > MAX_HOPS) return `the request has made ${hops} gateway hops (${HOPS_HEADER}); at most ${MAX_HOPS} are accepted`;
  return undefined;
}
