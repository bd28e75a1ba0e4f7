// Try-it mode: the console against the RackConnect emulator running in this page
// (`rackconnect/emulator`), signed in to its demo account, so the static console works offline as
// a demo. Nothing leaves the page: the Client is given `emulator.fetch`, which answers only the
// emulator's own URL, and its virtual clock, so waits move the emulated time on instead of
// sleeping. A v2 answer, which only a server itself can get, is asked as one of its servers.

import { byId, el, replaceChildren } from './dom.js';

// Emulated seconds per real second: automation and v3 changes move along while one watches.
const CLOCK_SPEED = 10;
const ADVANCE_SECONDS = 300;

/** Emulated time as HH:MM:SS UTC. */
function clockText(emulator) {
  return `${emulator.clock().now.slice(11, 19)} UTC`;
}

/**
 * Starts the emulator in this page and shows what try-it mode is; `onAdvance` runs after the
 * emulated clock is moved on by hand (to show the world as it is then).
 */
export async function startTryIt({ onAdvance }) {
  const { Emulator } = await import('./emulator.js');
  const emulator = new Emulator({ clockSpeed: CLOCK_SPEED });

  const clock = byId('try-it-clock');
  const tick = () => replaceChildren(clock, clockText(emulator));
  tick();
  setInterval(tick, 1000);
  byId('try-it-advance').addEventListener('click', () => {
    emulator.advance(ADVANCE_SECONDS);
    tick();
    onAdvance();
  });
  byId('try-it-banner').hidden = false;
  setUpV2Ask(emulator);
  return emulator;
}

/** In the v2 panel: ask v2 as one of the emulator's servers, and explain what it answered. */
function setUpV2Ask(emulator) {
  const select = byId('v2-ask-server');
  const servers = emulator.summary().servers.filter((server) => server.source_ip);
  replaceChildren(
    select,
    servers.map((server) => el('option', { value: server.source_ip }, `${server.name} (${server.source_ip})`)),
  );
  byId('v2-ask-button').addEventListener('click', async () => {
    const path = '/v1/automation_status/details';
    const answer = await emulator.fetchFrom(select.value)(`${emulator.url}${path}`);
    // As `curl -i` would print it (status line, a header, a blank line, the body): the panel reads
    // the status from the first line.
    const type = answer.headers.get('content-type') ?? 'text/plain';
    byId('v2-body').value = `HTTP/1.1 ${answer.status}\ncontent-type: ${type}\n\n${await answer.text()}`;
    byId('v2-kind').value = 'details';
    byId('v2-form').requestSubmit();
  });
  byId('v2-ask').hidden = false;
}
