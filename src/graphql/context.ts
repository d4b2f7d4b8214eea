// What every resolver sees: the process's services, the caller, and the request's id.
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';

export interface GraphQLContext {
  services: Services;
  principal: Principal | undefined;
  requestId: string;
}

export interface ViewerRecord {
  principal: Principal;
}
