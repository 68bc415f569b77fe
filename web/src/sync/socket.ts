/**
 * The one WebSocket a device keeps to `/v1/ws`, and its lifecycle: connect with the current
 * access token, reconnect with backoff when it drops, and tell its owner whether the server
 * is reachable.
 *
 * "Offline" is decided here, for the banner and the outbox: the socket closed, a heartbeat
 * went unanswered, or the browser's `offline` event fired (that one closes the socket at
 * once, since the browser will not tell the socket for a while). A 1008 close means the
 * token was refused: the socket asks for a fresh one before reconnecting.
 */
import type { ClientAction, IncomingFrame } from "../api/ws";
import { backoffDelay, type BackoffPolicy } from "./backoff";

export type ConnectionState = "connecting" | "online" | "offline";

export interface SocketOptions {
  /** `ws://host` or `wss://host`. */
  origin: string;
  /** The access token to connect with; `stale` is the one the server just refused. */
  token(stale: string | null): Promise<string>;
  onFrame(frame: IncomingFrame): void;
  onState(state: ConnectionState): void;
  backoff?: BackoffPolicy;
  /** How often to ping, and how long a ping may go unanswered. */
  heartbeatMs?: number;
  pongTimeoutMs?: number;
}

export class RealtimeSocket {
  private ws: WebSocket | null = null;
  private state: ConnectionState = "connecting";
  private attempt = 0;
  private stopped = false;
  private refused: string | null = null;
  private usedToken: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SocketOptions) {}

  start(): void {
    window.addEventListener("offline", this.handleOffline);
    window.addEventListener("online", this.handleOnline);
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("offline", this.handleOffline);
    window.removeEventListener("online", this.handleOnline);
    clearTimeout(this.retryTimer);
    this.teardown();
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** Sends an action if the socket is open; answers whether it went out. */
  send(action: ClientAction): boolean {
    if (this.state !== "online" || !this.ws) return false;
    this.ws.send(JSON.stringify(action));
    return true;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState(state);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.setState("offline");
      return;
    }
    let token: string;
    try {
      token = await this.options.token(this.refused);
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    this.refused = null;
    this.usedToken = token;
    const ws = new WebSocket(`${this.options.origin}/v1/ws?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    ws.onmessage = (message) => {
      this.resetPong();
      let frame: IncomingFrame;
      try {
        frame = JSON.parse(String(message.data)) as IncomingFrame;
      } catch {
        return;
      }
      if (frame.type === "ready") {
        this.attempt = 0;
        this.setState("online");
        this.startHeartbeat();
      }
      this.options.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      if (event.code === 1008) this.refused = this.usedToken;
      this.teardown();
      this.scheduleReconnect();
    };
    ws.onerror = () => ws.close();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState("offline");
    clearTimeout(this.retryTimer);
    this.attempt += 1;
    const delay = backoffDelay(this.options.backoff ?? { baseMs: 500, maxMs: 10_000 }, this.attempt);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private teardown(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close();
    }
  }

  private startHeartbeat(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (this.send({ action: "ping" }) && this.pongTimer === undefined) {
        this.pongTimer = setTimeout(() => {
          // No answer at all: the server or the path to it is gone.
          this.teardown();
          this.scheduleReconnect();
        }, this.options.pongTimeoutMs ?? 4000);
      }
    }, this.options.heartbeatMs ?? 10_000);
  }

  private resetPong(): void {
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private readonly handleOffline = () => {
    this.teardown();
    clearTimeout(this.retryTimer);
    this.setState("offline");
  };

  private readonly handleOnline = () => {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    void this.connect();
  };
}
