// The "Changes in progress" entries: one per add or remove, showing the status as the
// package's waiter reports it, the time so far, and a Cancel button wired to an AbortSignal.
//
// Where an entry sits: on a wide screen in the side column's panel, which stays in view; on a
// narrow one (one column, the panel far below) beside the button that started it, in the list
// the caller names as `near`. Entries move when the width crosses the breakpoint.

import { badge, byId, el, replaceChildren } from './dom.js';

const KEEP_FINISHED = 6; // older finished entries are dropped so the panel stays short
const running = new Set(); // the AbortControllers of the entries still watching
// The one-column layout of styles.css (below 62rem): the side panel is then below everything.
const NARROW = window.matchMedia('(max-width: 61.99rem)');
const nearOf = new WeakMap(); // entry → the list beside the button that started it

function panelList() {
  return byId('operation-list');
}

/** Where `entry` belongs now: beside its button on a narrow screen, else the panel. */
function homeOf(entry) {
  const near = nearOf.get(entry);
  return NARROW.matches && near?.isConnected ? near : panelList();
}

function updatePanel() {
  byId('operations').hidden = !panelList().children.length;
}

const seq = (entry) => Number(entry.dataset.seq);

/**
 * Puts every entry where it belongs (after the width changed, or a list beside a button was
 * re-rendered or dropped), newest first. Entries already in place are not touched, so a
 * focused Cancel button keeps its focus.
 */
export function placeOperations() {
  for (const entry of document.querySelectorAll('.operation')) {
    const home = homeOf(entry);
    if (entry.parentElement === home) continue;
    const older = [...home.children].find((other) => seq(other) < seq(entry));
    home.insertBefore(entry, older ?? null);
  }
  updatePanel();
}

NARROW.addEventListener('change', placeOperations);
let sequence = 0;

/** Stops watching everything (on sign-out: no wait may go on signing in again). */
export function cancelAll(reason = 'Signed out') {
  for (const controller of running) controller.abort(new DOMException(reason, 'AbortError'));
}

function seconds(ms) {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

function trimFinished(list) {
  const finished = [...list.querySelectorAll('.operation:not([data-state="running"])')];
  for (const entry of finished.slice(KEEP_FINISHED)) entry.remove();
}

/**
 * Adds an entry and returns its handle: `signal` (aborted by Cancel), `status(word, text)` while
 * it runs, and `finish(state, text, details)` with state `done`, `failed` or `cancelled`.
 */
export function startOperation(title, { near = null } = {}) {
  const controller = new AbortController();
  running.add(controller);
  const startedAt = performance.now();

  const statusSlot = el('span', {}, badge('SENDING'));
  const message = el('p', { class: 'operation__message' }, 'Sending the request…');
  const elapsed = el('span', { class: 'operation__elapsed' }, '0 s');
  const progress = el(
    'div',
    { class: 'progress', role: 'progressbar', 'aria-label': `${title}: in progress` },
    el('div', { class: 'progress__bar' }),
  );
  const cancel = el(
    'button',
    { type: 'button', class: 'button button--small button--danger', 'aria-label': `Cancel: ${title}` },
    'Cancel',
  );
  const entry = el(
    'li',
    { class: 'operation', 'data-state': 'running', 'data-seq': String(++sequence) },
    el('div', { class: 'operation__head' }, el('strong', {}, title), statusSlot),
    message,
    progress,
    el('div', { class: 'operation__head' }, elapsed, cancel),
  );
  cancel.addEventListener('click', () => controller.abort(new DOMException('Cancelled by the user', 'AbortError')));

  if (near) nearOf.set(entry, near);
  homeOf(entry).prepend(entry);
  updatePanel();
  const ticker = setInterval(() => {
    elapsed.textContent = seconds(performance.now() - startedAt);
  }, 1000);

  return {
    signal: controller.signal,
    status(word, text) {
      replaceChildren(statusSlot, badge(word));
      if (text) replaceChildren(message, text);
    },
    finish(state, text, details = []) {
      clearInterval(ticker);
      running.delete(controller);
      entry.dataset.state = state;
      entry.classList.add(state === 'done' ? 'operation--done' : 'operation--failed');
      const word = { done: 'DONE', failed: 'FAILED', cancelled: 'CANCELLED' }[state] ?? state;
      replaceChildren(statusSlot, badge(word));
      replaceChildren(message, text, details.length ? el('ul', {}, details.map((line) => el('li', {}, line))) : null);
      elapsed.textContent = `after ${seconds(performance.now() - startedAt)}`;
      progress.remove();
      const dismiss = el(
        'button',
        { type: 'button', class: 'button button--small button--quiet', 'aria-label': `Dismiss: ${title}` },
        'Dismiss',
      );
      dismiss.addEventListener('click', () => {
        entry.remove();
        updatePanel();
      });
      cancel.replaceWith(dismiss);
      trimFinished(entry.parentElement);
    },
  };
}
