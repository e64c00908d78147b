// The console is a client like any other: the public JSON API with the pasted bearer token.
// The token lives in memory (and, only if asked, in this tab's sessionStorage); never in a URL.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Whoami {
  name: string;
  scopes: string[];
}

const STORAGE_KEY = 'aeo-console-token';

export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  private async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    const raw = body instanceof Uint8Array;
    try {
      res = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined || raw ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : raw ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The gateway could not be reached.');
    }
    if (res.status === 401) {
      this.onUnauthorized();
      throw new ApiError(401, 'UNAUTHENTICATED', 'The token is not valid (any more). Sign in again.');
    }
    if (!res.ok) {
      let code = 'HTTP_' + res.status;
      let message = `${method} ${path.split('?')[0]} answered ${res.status}.`;
      try {
        const err = ((await res.json()) as { error?: { code?: string; message?: string } }).error;
        if (err?.code) code = err.code;
        if (err?.message) message = err.message;
      } catch {
        // not our error body: keep the generic message
      }
      throw new ApiError(res.status, code, message);
    }
    return res;
  }

  async get<T>(path: string): Promise<T> {
    return (await (await this.request('GET', path)).json()) as T;
  }

  async post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return (await (await this.request('POST', path, body, headers)).json()) as T;
  }

  /** POSTs bytes as they are (a sample list for a dry run), with their own content type. */
  async postBytes<T>(path: string, bytes: Uint8Array, headers: Record<string, string>): Promise<T> {
    return (await (await this.request('POST', path, bytes, headers)).json()) as T;
  }

  async put<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T> {
    return (await (await this.request('PUT', path, body, headers)).json()) as T;
  }

  /** Fetches bytes and hands them to the browser as a file download (the payload is never rendered). */
  async download(path: string, fileName: string): Promise<void> {
    const blob = await (await this.request('GET', path)).blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/**
 * A note for the X-AEO-Note header (routes whose body is not ours to extend, e.g. an agreement).
 * Header values are bytes, so text beyond printable ASCII is sent percent-encoded.
 */
export const noteHeader = (note: string): Record<string, string> => ({
  'x-aeo-note': /^[\x20-\x7e]*$/.test(note) ? note : encodeURIComponent(note),
});

export const rememberedToken = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const rememberToken = (token: string): void => sessionStorage.setItem(STORAGE_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(STORAGE_KEY);
