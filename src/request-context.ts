// The request a piece of work belongs to, carried across awaits (AsyncLocalStorage), so every log
// line written while serving a request — in the routes, the pipeline or the store — names it.
import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request being served, or null outside one (schedules, the CLI). */
export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}
