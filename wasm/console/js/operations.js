// The "Changes in progress" panel: one entry per add or remove, showing the status as the
// package's waiter reports it, the time so far, and a Cancel button wired to an AbortSignal.

import { badge, byId, el, replaceChildren } from './dom.js';

const KEEP_FINISHED = 6; // older finished entries are dropped so the panel stays short
const running = new Set(); // the AbortControllers of the entries still watching

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
export function startOperation(title) {
  const section = byId('operations');
  const list = byId('operation-list');
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
    { class: 'operation', 'data-state': 'running' },
    el('div', { class: 'operation__head' }, el('strong', {}, title), statusSlot),
    message,
    progress,
    el('div', { class: 'operation__head' }, elapsed, cancel),
  );
  cancel.addEventListener('click', () => controller.abort(new DOMException('Cancelled by the user', 'AbortError')));

  list.prepend(entry);
  section.hidden = false;
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
        if (!list.children.length) section.hidden = true;
      });
      cancel.replaceWith(dismiss);
      trimFinished(list);
    },
  };
}
