#!/usr/bin/env node
// A tiny dev server for the web console (Node, no dependencies).
//
//   node wasm/console/serve.mjs [PORT] [--emulator BINARY] [--scenario FILE] [--clock-speed X]
//                               [--identity-url URL]
//
// It serves the `wasm/` folder's `console/` and `npm/` sub-folders on 127.0.0.1 (the console
// imports the package as `../npm/...`, so any static server rooted at `wasm/` works the same way)
// and prints the console's URL as the first line. With `--emulator` it also starts the emulator
// on a free port with CORS on, prints `emulator URL` as the second line, and hands that URL to
// the page through a generated `console/config.json`, with the scenario's demo account (the
// first user that signs in with an API key), which the page shows; it stops the emulator when it
// stops.

import { execFile, spawn } from 'node:child_process';
import { createReadStream, fstatSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WASM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Only these sub-folders are served: nothing else under wasm/ (sources, build outputs) leaks out.
const SERVED_FOLDERS = ['console', 'npm'];
const EMULATOR_START_TIMEOUT_MS = 15_000;

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', // instantiateStreaming refuses anything else
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function usage(message) {
  process.stderr.write(
    `${message}\nusage: node serve.mjs [PORT] [--emulator BINARY] [--scenario FILE] ` +
      `[--clock-speed X] [--identity-url URL]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = { port: 0, emulator: null, scenario: null, clockSpeed: null, identityUrl: null };
  const flags = {
    '--emulator': 'emulator',
    '--scenario': 'scenario',
    '--clock-speed': 'clockSpeed',
    '--identity-url': 'identityUrl',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') usage('Serves the RackConnect web console on 127.0.0.1.');
    if (arg in flags) {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      options[flags[arg]] = argv[++i];
    } else if (/^\d+$/.test(arg)) {
      options.port = Number(arg);
      if (options.port > 65535) usage(`port out of range: ${arg}`);
    } else {
      usage(`unknown argument: ${arg}`);
    }
  }
  if ((options.scenario || options.clockSpeed) && !options.emulator) {
    usage('--scenario and --clock-speed need --emulator');
  }
  return options;
}

// Starts the emulator on a free loopback port and resolves with its URL (its first stdout line).
function startEmulator({ emulator, scenario, clockSpeed }) {
  const args = ['--listen', '127.0.0.1:0', '--cors'];
  if (scenario) args.push('--scenario', scenario);
  if (clockSpeed) args.push('--clock-speed', clockSpeed);
  const child = spawn(emulator, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the emulator did not say where it listens within ${EMULATOR_START_TIMEOUT_MS} ms`));
    }, EMULATOR_START_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the emulator ${emulator}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited early (${signal ?? `code ${code}`})`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const match = /^listening on (http:\/\/\S+)/.exec(line);
      clearTimeout(timer);
      if (!match) {
        child.kill();
        reject(new Error(`unexpected first line from the emulator: ${line}`));
        return;
      }
      // Keep draining stdout so that the emulator never blocks on a full pipe.
      lines.on('line', () => {});
      resolveUrl({ child, url: match[1].replace(/\/$/, '') });
    });
  });
}

/**
 * The emulator's demo account: the first enabled user without multi-factor that has an API key,
 * from the scenario file, or from the built-in scenario (`--print-scenario`). Null when none.
 */
async function demoAccount({ emulator, scenario }) {
  const text = scenario
    ? await readFile(scenario, 'utf8')
    : await new Promise((resolveText, reject) => {
        execFile(emulator, ['--print-scenario'], { timeout: EMULATOR_START_TIMEOUT_MS }, (error, stdout) =>
          error ? reject(error) : resolveText(stdout),
        );
      });
  for (const account of JSON.parse(text).accounts ?? []) {
    for (const user of account.users ?? []) {
      if (user.api_key && !user.mfa && user.enabled !== false) return { username: user.username, apiKey: user.api_key };
    }
  }
  return null;
}

// Maps a request path to a file inside one of the served folders, or null.
function fileForPath(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(WASM_DIR, `.${decoded}`);
  const allowed = SERVED_FOLDERS.some((folder) => {
    const root = join(WASM_DIR, folder);
    return file === root || file.startsWith(root + sep);
  });
  return allowed ? file : null;
}

function send(response, status, body, type = 'text/plain; charset=utf-8') {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  response.end(body);
}

function makeHandler(config) {
  const configBody = config ? JSON.stringify(config) : null;
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, 405, 'method not allowed\n');
      return;
    }
    const { pathname } = new URL(request.url, 'http://127.0.0.1');
    if (pathname === '/' || pathname === '/console') {
      response.writeHead(302, { Location: '/console/' });
      response.end();
      return;
    }
    if (pathname === '/console/config.json') {
      // Without a configuration the page asks for the Identity URL itself.
      if (configBody) send(response, 200, configBody, MIME_TYPES['.json']);
      else send(response, 404, '{}', MIME_TYPES['.json']);
      return;
    }
    let file = fileForPath(pathname);
    if (!file) {
      send(response, 404, 'not found\n');
      return;
    }
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      response.writeHead(200, {
        'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': info.size,
        'Cache-Control': 'no-store', // a fresh package build shows up on reload
        'X-Content-Type-Options': 'nosniff',
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    } catch {
      send(response, 404, 'not found\n');
    }
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let emulator = null;
  const stopEmulator = () => {
    if (emulator && emulator.child.exitCode === null) emulator.child.kill('SIGTERM');
  };
  process.on('exit', stopEmulator);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => process.exit(0));
  }
  // Started by a program through a pipe (the browser tests do): stop when that pipe closes, so
  // that neither this server nor the emulator outlives a test run that was killed.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on('close', () => process.exit(0));
    process.stdin.resume();
  }

  if (options.emulator) {
    emulator = await startEmulator(options);
    emulator.child.once('exit', (code, signal) => {
      process.stderr.write(`the emulator stopped (${signal ?? `code ${code}`}); stopping too\n`);
      process.exit(1);
    });
  }
  const identityUrl = options.identityUrl ?? emulator?.url ?? null;
  const config = identityUrl ? { identityUrl, emulator: Boolean(emulator) } : null;
  // The demo account is shown only when the page talks to the emulator this server started.
  if (emulator && !options.identityUrl) {
    config.demo = await demoAccount(options).catch((error) => {
      process.stderr.write(`no demo account to show: ${error.message}\n`);
      return null;
    });
  }

  const server = createServer(makeHandler(config));
  server.listen(options.port, '127.0.0.1', () => {
    const { port } = server.address();
    process.stdout.write(`http://127.0.0.1:${port}/console/\n`);
    if (emulator) process.stdout.write(`emulator ${emulator.url}\n`);
  });
  server.on('error', (error) => {
    process.stderr.write(`cannot serve: ${error.message}\n`);
    process.exit(1);
  });
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
