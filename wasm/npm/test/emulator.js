// Starts the RackConnect emulator for a test file: `target/debug/rackconnect-emulator` (or
// $RACKCONNECT_EMULATOR) on a free port, fast clock; stopped by the returned function.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export async function startEmulator(...extra) {
  const binary = process.env.RACKCONNECT_EMULATOR || join(ROOT, "target", "debug", "rackconnect-emulator");
  const child = spawn(binary, ["--listen", "127.0.0.1:0", "--clock-speed", "60", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${binary} printed no address within 20 s`)), 20_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${error.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code} before listening`));
    });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const match = /^listening on (\S+)/.exec(line);
      if (match) resolve(match[1].replace(/\/$/, ""));
      else reject(new Error(`unexpected first line from the emulator: ${line}`));
    });
  });
  // Keep reading stdout so that the emulator never blocks on a full pipe.
  child.stdout.resume();
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, stop };
}

/** Calls the emulator's control API (`/__emulator/...`). */
export async function control(url, method, path, body) {
  const response = await fetch(`${url}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /__emulator/${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
