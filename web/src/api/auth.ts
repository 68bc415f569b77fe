/**
 * Who the client is signed in as, and its tokens.
 *
 * The access token lives only in memory (this object); the refresh token is persisted by a
 * `RefreshTokenStore` (localStorage in the browser) so that a reload stays signed in.
 *
 * Refresh is single-flight: however many requests hit 401 together, one `POST
 * /v1/auth/refresh` runs and every caller waits for its result. A request that failed with a
 * token older than the current one simply retries with the current one, so a 401 that arrives
 * just after a refresh finished does not start a second one. A refresh the server refuses
 * signs out cleanly (tokens cleared, `onSignedOut` called once); a refresh that cannot reach
 * the server keeps the session, because being offline is not being signed out.
 */
import { ApiError } from "./errors";
import type { Tokens } from "./types";

/** Where the refresh token survives a reload. */
export interface RefreshTokenStore {
  load(): string | null;
  save(token: string | null): void;
}

/** The refresh token in `localStorage`, under one key. */
export function localStorageTokenStore(key = "hearth.refresh_token"): RefreshTokenStore {
  return {
    load: () => localStorage.getItem(key),
    save: (token) => (token === null ? localStorage.removeItem(key) : localStorage.setItem(key, token)),
  };
}

/** Trades a refresh token for a new pair (the REST call, injected so tests can count it). */
export type RefreshCall = (refreshToken: string) => Promise<Tokens>;

export class AuthSession {
  private access: string | null = null;
  private inFlight: Promise<string> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: RefreshTokenStore,
    private readonly refreshCall: RefreshCall,
  ) {}

  /** The access token to send, if any (only in memory). */
  get accessToken(): string | null {
    return this.access;
  }

  /** Whether a refresh token is kept, i.e. a reload can resume the session. */
  get canResume(): boolean {
    return this.store.load() !== null;
  }

  /** Takes a new pair from login, register or refresh. */
  setTokens(tokens: Tokens): void {
    this.access = tokens.access_token;
    this.store.save(tokens.refresh_token);
  }

  /** Calls `listener` when the session ends by a refused refresh or `signOut`. */
  onSignedOut(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A fresh access token. `stale` is the token a request was refused with: when the session
   * already holds a newer one, that one is returned without a refresh.
   */
  refresh(stale?: string | null): Promise<string> {
    if (stale !== undefined && this.access !== null && this.access !== stale) {
      return Promise.resolve(this.access);
    }
    this.inFlight ??= this.runRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Forgets both tokens and tells the listeners. */
  signOut(): void {
    const wasSignedIn = this.access !== null || this.store.load() !== null;
    this.access = null;
    this.store.save(null);
    if (wasSignedIn) for (const listener of this.listeners) listener();
  }

  private async runRefresh(): Promise<string> {
    const refreshToken = this.store.load();
    if (refreshToken === null) {
      this.signOut();
      throw new ApiError(401, "unauthorized", "not signed in");
    }
    try {
      const tokens = await this.refreshCall(refreshToken);
      this.setTokens(tokens);
      return tokens.access_token;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.signOut();
      throw error;
    }
  }
}
