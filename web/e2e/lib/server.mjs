// The real `hearth serve` for a test: the binary cargo built, on a free loopback port, with a
// fresh data directory. It is started as a child process and stopped by its PID (SIGTERM:
// the server finishes in-flight writes and exits 0), and it can be restarted on the same
// port and data, so open pages reconnect to the same origin.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { once } from "node:events";
import { createInterface } from "node:readline";

const repo = resolve(import.meta.dirname, "../../..");

/** The `hearth` binary: $HEARTH_BIN, else the debug build in cargo's target directory. */
export function hearthBinary() {
  if (process.env.HEARTH_BIN) return process.env.HEARTH_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const binary = join(target, "debug", "hearth");
  if (!existsSync(binary)) {
    throw new Error(`no hearth binary at ${binary}: build it with 'cargo build -p hearth-server' or set HEARTH_BIN`);
  }
  return binary;
}

/** Limits high enough that only a test about them would meet them. */
const TEST_ENV = {
  HEARTH_LOG__FORMAT: "json",
  HEARTH_LOG__FILTER: "warn,hearth_server=info",
  HEARTH_LIMITS__AUTH_PER_IP_PER_MINUTE: "100000",
  HEARTH_LIMITS__AUTH_PER_USERNAME_PER_MINUTE: "100000",
  HEARTH_LIMITS__SENDS_PER_USER_PER_MINUTE: "100000",
  HEARTH_LIMITS__CONVERSATION_CHANGES_PER_USER_PER_MINUTE: "100000",
};

export class HearthServer {
  /** @param {{ env?: Record<string, string>, listen?: string }} [options] */
  constructor(options = {}) {
    this.dataDir = mkdtempSync(join(tmpdir(), "hearth-e2e-"));
    this.env = { ...options.env };
    this.listen = options.listen ?? "127.0.0.1:0";
    this.child = null;
    this.base = null;
    this.log = [];
  }

  /** Starts the server and resolves once it listens; `base` is its `http://127.0.0.1:<port>`. */
  async start() {
    const env = { ...withoutHearthVars(process.env), ...TEST_ENV, ...this.env };
    const child = spawn(hearthBinary(), ["serve", "--listen", this.listen, "--data", this.dataDir], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    const address = await new Promise((resolveAddress, reject) => {
      const lines = createInterface({ input: child.stderr });
      const timer = setTimeout(() => reject(new Error(`hearth did not start:\n${this.log.join("\n")}`)), 30_000);
      lines.on("line", (line) => {
        this.log.push(line);
        const address = servingAddress(line);
        if (address) {
          clearTimeout(timer);
          resolveAddress(address);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`hearth exited with ${code} before serving:\n${this.log.join("\n")}`));
      });
    });
    // Restarts keep the port, so open pages find the server where they left it.
    this.listen = address;
    this.base = `http://${address}`;
    return this;
  }

  /** Stops the server by its PID and waits for it to exit; rejects unless it exits 0. */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = null;
    const exited = once(child, "exit");
    process.kill(child.pid, "SIGTERM");
    const [code, signal] = await exited;
    if (code !== 0) throw new Error(`hearth exited with ${code ?? signal}:\n${this.log.slice(-20).join("\n")}`);
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its data. */
  async dispose() {
    try {
      await this.stop();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

/** The address of the "hearth is serving" log line (JSON format), or null. */
function servingAddress(line) {
  try {
    const entry = JSON.parse(line);
    return entry.fields?.message === "hearth is serving" ? entry.fields.address : null;
  } catch {
    return null;
  }
}

/** The server refuses unknown HEARTH_* variables: the caller's own are not passed on. */
function withoutHearthVars(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("HEARTH_")));
}
