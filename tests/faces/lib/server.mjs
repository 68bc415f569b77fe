// The real `hearth serve` for a test file: the binary cargo built, on a free loopback port
// (port 0: the address is read from the "hearth is serving" log line), with a fresh data
// directory, stopped by its PID (SIGTERM: the server finishes in-flight writes and exits 0).
// The same approach as web/e2e/lib/server.mjs; packages do not import each other.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
    this.dataDir = mkdtempSync(join(tmpdir(), "hearth-faces-"));
    this.env = { ...options.env };
    this.listen = options.listen ?? "127.0.0.1:0";
    this.child = null;
    this.base = null;
    this.log = [];
  }

  /** Starts the server; resolves once it listens, with `base` set to its http origin. */
  async start() {
    const env = { ...withoutHearthVars(process.env), ...TEST_ENV, ...this.env };
    const child = spawn(hearthBinary(), ["serve", "--listen", this.listen, "--data", this.dataDir], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    const address = await new Promise((resolveAddress, reject) => {
      const lines = createInterface({ input: child.stderr });
      lines.on("line", (line) => {
        this.log.push(line);
        const address = servingAddress(line);
        if (address) resolveAddress(address);
      });
      child.once("exit", (code) => reject(new Error(`hearth exited with ${code} before serving:\n${this.log.join("\n")}`)));
    });
    this.base = `http://${address}`;
    return this;
  }

  /** A service token for `name`, made by `hearth admin service-token` on this server's data. */
  serviceToken(name) {
    const env = { ...withoutHearthVars(process.env), ...TEST_ENV, ...this.env };
    const out = execFileSync(hearthBinary(), ["admin", "service-token", "--name", name, "--data", this.dataDir], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return out.toString().trim();
  }

  /** Runs `hearth admin <args…>` on this server's data directory; its standard output. */
  admin(...args) {
    const env = { ...withoutHearthVars(process.env), ...TEST_ENV, ...this.env };
    const out = execFileSync(hearthBinary(), ["admin", ...args, "--data", this.dataDir], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return out.toString();
  }

  /** Stops the server by its PID, waits for it to exit 0, and removes its data. */
  async dispose() {
    const child = this.child;
    this.child = null;
    try {
      if (child && child.exitCode === null) {
        const exited = once(child, "exit");
        process.kill(child.pid, "SIGTERM");
        const [code, signal] = await exited;
        if (code !== 0) throw new Error(`hearth exited with ${code ?? signal}:\n${this.log.slice(-20).join("\n")}`);
      }
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
