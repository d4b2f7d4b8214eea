// Paths under /console/, kept in the History API; the gateway answers every deep link with the app.
import { useSyncExternalStore } from 'react';

export const BASE = '/console';
const subscribers = new Set<() => void>();

window.addEventListener('popstate', () => subscribers.forEach((s) => s()));

export function navigate(path: string): void {
  history.pushState(null, '', BASE + path);
  subscribers.forEach((s) => s());
  window.scrollTo(0, 0);
}

/** The path after /console, e.g. "/triggers/trg_..." ("/" for the home page). */
export function usePath(): string {
  return useSyncExternalStore(
    (cb) => {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
    () => location.pathname.slice(BASE.length) || '/',
  );
}
