// /hooks' loop check (SPEC §15), before the body is read or any signature computed: a request our
// own deliveries sent (or one past the hop limit) costs a header lookup, and writes nothing.
import type { IncomingHttpHeaders } from 'node:http';
import { loopProblem } from '../signing/loop-marker.ts';
import type { Refusal } from './evaluate.ts';

export function loopRefusal(headers: IncomingHttpHeaders, ownDeploymentId: string): Refusal | undefined {
  const problem = loopProblem(headers, ownDeploymentId);
  return problem === undefined ? undefined : { status: 403, code: 'WEBHOOK_LOOP', message: problem };
}
