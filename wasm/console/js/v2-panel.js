// The panel that reads a pasted RackConnect v2 answer through the package and explains it.
// v2 answers only the server that asks, so this is the one way a browser can help with it.

import { badge, byId, el, replaceChildren } from './dom.js';

const OPERATION_PATHS = {
  automation_status: '/v1/automation_status',
  details: '/v1/automation_status/details',
  gateway_ip: '/v1/gateway_ip',
  automation_features: '/v1/automation_features',
};

// What to do next, per verdict; the package's own summary comes first.
const ADVICE = {
  done: [
    'The server is ready. Under v2 its public address is now the RackConnect one (accessIPv4), not the ' +
      'address it was built with.',
    'If the account has Managed Operations, that automation runs after RackConnect: wait for ' +
      'rax_service_level_automation to be Complete before post-build work.',
  ],
  failed: [
    'Automation does not retry by itself, so waiting longer will not help.',
    'The usual cause is a change to the root password or SSH access before the server was DEPLOYED. ' +
      'Open a ticket with Rackspace and quote the failing task.',
  ],
  in_progress: [
    'Keep waiting: automation logs in to the server and rewrites its firewall, which takes minutes ' +
      '(about 40 minutes per 100 Linux servers built at once).',
    'Do not change the root password or SSH access until it says DEPLOYED, or it will fail.',
    'Poll gently: v2 allows 30 requests per minute per server; every 10–30 seconds is plenty.',
  ],
  not_applicable: [
    'Stop waiting: RackConnect does not apply to this server (typically it was built in a region that ' +
      'does not match the RackConnect configuration).',
  ],
  rate_limited: [
    'v2 allows 30 requests per minute per server; the 31st gets HTTP 403 until the minute turns.',
    'Wait for the next minute, then poll less often (every 10–30 seconds).',
    'If every request keeps getting 403 after a quiet minute, the request is not coming from a ' +
      'RackConnect v2 server (v2 answers only the server asking, over ServiceNet).',
  ],
  not_assigned: [
    'Not an error while automation runs: one of the automation tasks assigns the gateway. Ask again later.',
  ],
  info: [],
};

const HEADLINES = {
  done: 'Finished: RackConnect automation is DEPLOYED.',
  failed: 'RackConnect automation FAILED.',
  in_progress: 'Still DEPLOYING: keep waiting.',
  not_applicable: 'UNPROCESSABLE: RackConnect does not apply.',
  rate_limited: 'Rate limited (HTTP 403).',
  not_assigned: 'No gateway IP assigned yet (HTTP 404).',
  info: 'Read.',
};

const TONES = {
  done: 'ok',
  failed: 'bad',
  in_progress: 'busy',
  not_applicable: 'bad',
  rate_limited: 'busy',
  not_assigned: 'busy',
  info: 'ok',
};

/**
 * A pasted `curl -i` output carries the status line and headers: take the status from it and
 * keep only the body.
 */
export function splitPastedResponse(text) {
  const match = /^\s*HTTP\/[\d.]+\s+(\d{3})[^\n]*\n/.exec(text);
  if (!match) return { status: null, body: text };
  const rest = text.slice(match[0].length);
  const blank = /\r?\n\r?\n/.exec(rest);
  return { status: Number(match[1]), body: blank ? rest.slice(blank.index + blank[0].length) : '' };
}

function headlineOf(explanation) {
  if (explanation.gatewayIp) return `Gateway IP: ${explanation.gatewayIp}`;
  if (explanation.features.length) return 'RackConnect automation features';
  if (explanation.verdict === 'info' && explanation.status) return `Status ${explanation.status}: not one RackConnect documents.`;
  return HEADLINES[explanation.verdict] ?? explanation.verdict;
}

function render(explanation) {
  const { verdict } = explanation;
  const parts = [];
  const headline = headlineOf(explanation);
  parts.push(
    el(
      'p',
      { class: 'explanation__headline' },
      explanation.status ? badge(explanation.status) : verdict === 'info' ? null : badge(verdict.toUpperCase()),
      el('span', { 'data-testid': 'v2-headline' }, headline),
    ),
  );
  // The package's summary sentence repeats the task and feature lists shown below.
  const listed = explanation.tasks.length || explanation.features.length;
  if (explanation.summary && (!listed || (verdict === 'info' && explanation.status))) {
    parts.push(el('p', { 'data-testid': 'v2-summary' }, explanation.summary));
  }

  // The package names the failed tasks (status FAILED) and the pending ones; a task that is
  // merely unfinished is not a cause.
  const { failedTasks, pendingTasks } = explanation;
  for (const task of failedTasks) {
    parts.push(el('p', { class: 'task--failed' }, `Failing task: ${task.name} (${task.status})`));
  }
  if (verdict === 'failed' && explanation.tasks.length && !failedTasks.length) {
    parts.push(el('p', {}, 'No task is marked FAILED in this answer; the list below is all it says.'));
  }
  if (verdict === 'failed' && pendingTasks.length) {
    const count = pendingTasks.length === 1 ? '1 task is' : `${pendingTasks.length} tasks are`;
    parts.push(el('p', { class: 'field__hint' }, `${count} still PENDING: never run, because automation stopped at the failure.`));
  }
  if (explanation.tasks.length) {
    parts.push(
      el('p', { class: 'explanation__subtitle' }, 'Tasks'),
      el(
        'ul',
        {},
        explanation.tasks.map((task) =>
          el('li', { class: failedTasks.includes(task) ? 'task--failed' : null }, `${task.name}: `, badge(task.status)),
        ),
      ),
    );
  }
  if (explanation.features.length) {
    const enabled = explanation.features.every((feature) => /^ENABLED$/i.test(feature.status));
    parts.push(
      el(
        'ul',
        {},
        explanation.features.map((feature) => el('li', {}, `${feature.name.replaceAll('_', ' ')}: `, badge(feature.status))),
      ),
      el(
        'p',
        {},
        enabled
          ? 'RackConnect manages this server\'s network stack, software firewall and public IP.'
          : 'Features are set per account when the server is created and are enabled or disabled together; ' +
              'a disabled one means you manage that part yourself.',
      ),
    );
  }
  const advice = ADVICE[verdict] ?? [];
  if (advice.length) {
    parts.push(
      el('p', { class: 'explanation__subtitle' }, 'What to do'),
      el('ul', { 'data-testid': 'v2-advice' }, advice.map((line) => el('li', {}, line))),
    );
  }
  parts.push(
    el(
      'p',
      { class: 'field__hint' },
      `Read as ${explanation.syntax.toUpperCase()} from ${OPERATION_PATHS[explanation.operation] ?? explanation.operation}.`,
    ),
  );
  return { tone: TONES[verdict] ?? 'ok', parts };
}

/** Wires the form to `explainV2Answer` from the package. */
export function setUpV2Panel({ explainV2Answer }) {
  const form = byId('v2-form');
  const body = byId('v2-body');
  const kind = byId('v2-kind');
  const statusChoice = byId('v2-status');
  const result = byId('v2-result');

  const show = (tone, parts) => {
    result.className = `explanation explanation--${tone}`;
    replaceChildren(result, parts);
    result.hidden = false;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const pasted = splitPastedResponse(body.value);
    if (!pasted.body.trim() && pasted.status === null) {
      show('bad', [el('p', {}, 'Paste what the v2 call printed first.')]);
      body.focus();
      return;
    }
    const options = {};
    if (kind.value !== 'auto') options.operation = kind.value;
    const status = pasted.status ?? Number(statusChoice.value);
    if (status !== 200) options.status = status;
    try {
      const { tone, parts } = render(explainV2Answer(pasted.body, options));
      show(tone, parts);
    } catch (error) {
      show('bad', [
        el('p', { class: 'explanation__headline' }, 'This does not read as a RackConnect v2 answer.'),
        el('p', {}, String(error.message ?? error)),
        el('p', { class: 'field__hint' }, 'Expected the bare status text, or the JSON or XML of one of the four v2 calls.'),
      ]);
    }
  });

  byId('v2-panel').hidden = false;
  byId('v2-clear').addEventListener('click', () => {
    body.value = '';
    result.hidden = true;
    body.focus();
  });
}
