// The console: sign in through Identity, pick a region, list and change RackConnect v3 objects
// through the `rackconnect` package's Client, and explain pasted v2 answers.
//
// Secrets: the API key or password is read from the form, handed to the package's Client and
// cleared from the form once signed in; this page keeps no copy of it (other regions reuse the
// sign-in through `withRegion`), and never writes it to storage, the URL or the page.

import { badge, byId, el, replaceChildren, showError, showTextWith } from './dom.js';
import { describeError, errorContent } from './errors.js';
import { cancelAll, placeOperations, startOperation } from './operations.js';
import { startTryIt } from './try-it.js';
import { setUpV2Panel } from './v2-panel.js';

const DEFAULT_IDENTITY_URL = 'https://identity.api.rackspacecloud.com';
// Node states from which a remove is accepted (others get "not in an ACTIVE state").
const REMOVABLE_NODE_STATES = new Set(['ACTIVE', 'ADD_FAILED', 'REMOVE_FAILED']);
const REMOVABLE_IP_STATES = new Set(['ACTIVE', 'ADD_FAILED', 'REMOVE_FAILED', 'UPDATE_FAILED']);

const state = {
  rc: null, // the package's module
  identityUrl: null, // for error messages; not a secret
  emulator: null, // in try-it mode, the emulator running in this page
  signedIn: null, // the Client that signed in; every region's client shares its token
  client: null, // the current region's: signedIn.withRegion(region)
  session: null,
  region: null,
  servers: [],
  serverError: null,
  pools: [],
  nodesByPool: new Map(),
  publicIps: [],
  loadGeneration: 0,
  // Per pool, the list beside its members' Remove buttons where a remove is watched on a narrow
  // screen; kept across renders, so an entry in it survives a refresh.
  poolProgress: new Map(),
};

// What to redact from messages: the page holds a secret only in the form, and only until sign-in.
const secrets = () => [byId('secret').value];

function showDescribedError(slot, error, context) {
  showError(slot, errorContent(describeError(error, context), secrets()));
}

/* ------------------------------------------------------------------------------------------ */
/* Start-up                                                                                    */
/* ------------------------------------------------------------------------------------------ */

async function readConfig() {
  // Written by serve.mjs when it started an emulator; absent when served by anything else.
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

async function start() {
  let rc;
  try {
    rc = await import('./rackconnect.js');
  } catch (error) {
    byId('loading').hidden = true;
    showError(byId('fatal'), [
      el('p', {}, 'The RackConnect package could not be loaded, so the console cannot start.'),
      el('p', {}, 'Build it with wasm/build, then reload. ', el('code', {}, String(error.message ?? error))),
    ]);
    return;
  }
  state.rc = rc;
  showTextWith(rc.terminalSafe);
  byId('package-version').textContent = ` on the rackconnect package ${rc.version}`;
  setUpV2Panel(rc);

  const config = await readConfig();
  const identityField = byId('identity-url');
  identityField.value = config.identityUrl ?? DEFAULT_IDENTITY_URL;
  byId('identity-url-hint').textContent = config.emulator
    ? 'The local emulator started by the dev server (emulator/README.md).'
    : 'US accounts: https://identity.api.rackspacecloud.com. UK: https://lon.identity.api.rackspacecloud.com.';
  showDemoAccount(config);

  for (const radio of document.querySelectorAll('input[name="credentialKind"]')) {
    radio.addEventListener('change', updateSecretLabel);
  }
  byId('signin-form').addEventListener('submit', onSignIn);
  byId('try-it').addEventListener('click', onTryIt);
  byId('sign-out').addEventListener('click', onSignOut);
  byId('region').addEventListener('change', () => switchRegion(byId('region').value));
  byId('refresh').addEventListener('click', () => loadRegion());
  byId('add-node-form').addEventListener('submit', onAddNode);
  byId('add-ip-form').addEventListener('submit', onCreatePublicIp);

  byId('loading').hidden = true;
  byId('signin').hidden = false;
  document.body.dataset.ready = 'true';
}

/**
 * When the dev server started the emulator, its demo account is shown on the page (it is the
 * emulator's, public in its README, and reaches nothing but this computer), with a button that
 * fills it in. Never shown for any other Identity.
 */
function showDemoAccount(config) {
  const demo = config.emulator ? config.demo : null;
  if (!demo?.username || !demo?.apiKey) return;
  byId('demo-username').textContent = demo.username;
  byId('demo-api-key').textContent = demo.apiKey;
  byId('demo-fill').addEventListener('click', () => {
    byId('identity-url').value = config.identityUrl;
    byId('username').value = demo.username;
    document.querySelector('input[name="credentialKind"][value="apiKey"]').checked = true;
    updateSecretLabel();
    byId('secret').value = demo.apiKey;
    byId('signin-submit').focus();
  });
  byId('demo-account').hidden = false;
}

/** Try-it mode: the emulator in this page, its demo account filled in (sign in as usual). */
async function onTryIt() {
  const button = byId('try-it');
  button.disabled = true;
  try {
    state.emulator ??= await startTryIt({ onAdvance: () => state.client && loadRegion() });
  } catch (error) {
    button.disabled = false;
    showError(byId('signin-error'), [el('p', {}, 'The emulator could not start: ', el('code', {}, String(error?.message ?? error)))]);
    return;
  }
  const emulator = state.emulator;
  byId('identity-url').value = emulator.identityUrl;
  byId('identity-url-hint').textContent = 'The emulator running in this page (try-it mode).';
  byId('username').value = emulator.username;
  document.querySelector('input[name="credentialKind"][value="apiKey"]').checked = true;
  updateSecretLabel();
  byId('secret').value = emulator.apiKey;
  byId('demo-username').textContent = emulator.username;
  byId('demo-api-key').textContent = emulator.apiKey;
  byId('demo-fill').hidden = true;
  byId('demo-account').hidden = false;
  button.hidden = true;
  byId('signin-submit').focus();
}

function credentialKind() {
  return document.querySelector('input[name="credentialKind"]:checked').value;
}

function updateSecretLabel() {
  const isKey = credentialKind() === 'apiKey';
  byId('secret-label').textContent = isKey ? 'API key' : 'Password';
  byId('secret').autocomplete = isKey ? 'off' : 'current-password';
}

/* ------------------------------------------------------------------------------------------ */
/* Signing in and out, regions                                                                 */
/* ------------------------------------------------------------------------------------------ */

function readSignInForm() {
  const problems = [];
  const identityUrl = byId('identity-url').value.trim();
  const username = byId('username').value.trim();
  const secret = byId('secret').value;
  const tenant = byId('tenant').value.trim();
  const kind = credentialKind();
  const mark = (id, bad) => byId(id).setAttribute('aria-invalid', bad ? 'true' : 'false');
  // The package also takes `us` and `uk` for Rackspace's two Identity endpoints.
  let validUrl = ['us', 'uk'].includes(identityUrl.toLowerCase());
  try {
    validUrl ||= ['http:', 'https:'].includes(new URL(identityUrl).protocol);
  } catch {
    // not a URL
  }
  mark('identity-url', !validUrl);
  mark('username', !username);
  mark('secret', !secret);
  if (!validUrl) problems.push('Enter the Identity URL (https://…, or us or uk).');
  if (!username) problems.push('Enter your username.');
  if (!secret) problems.push(kind === 'apiKey' ? 'Enter your API key.' : 'Enter your password.');
  const credentials = { identityUrl, username, [kind]: secret };
  if (tenant) credentials.tenant = tenant;
  return { problems, credentials };
}

async function onSignIn(event) {
  event.preventDefault();
  const errorSlot = byId('signin-error');
  const { problems, credentials } = readSignInForm();
  if (problems.length) {
    showError(errorSlot, [el('p', {}, 'Cannot sign in yet:'), el('ul', {}, problems.map((p) => el('li', {}, p)))]);
    return;
  }
  showError(errorSlot, null);
  const button = byId('signin-submit');
  button.disabled = true;
  button.textContent = 'Signing in…';
  try {
    // In try-it mode every request goes to the emulator in this page, on its clock.
    const emulator = state.emulator;
    const client = new state.rc.Client(emulator ? { ...credentials, fetch: emulator.fetch, clock: emulator.clock } : credentials);
    const session = await client.signIn();
    // Only the Client keeps the secret now (to renew its token): the page drops its copies.
    byId('secret').value = '';
    delete credentials.apiKey;
    delete credentials.password;
    state.identityUrl = credentials.identityUrl;
    enterWorkspace(client, session);
  } catch (error) {
    showDescribedError(errorSlot, error, { during: 'signin', url: credentials.identityUrl });
    // The core refused the address itself (plain http:// to another computer): the URL is wrong,
    // not the key.
    const insecure = error?.code === 'transport' && error.transportKind === 'insecure_url';
    byId('identity-url').setAttribute('aria-invalid', insecure ? 'true' : 'false');
    byId(insecure ? 'identity-url' : 'secret').focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Sign in';
  }
}

/** The regions to offer: those with a RackConnect v3 endpoint in the catalog, the default first. */
function regionChoices(session) {
  const regions = session.catalogRegions;
  return regions.includes(session.defaultRegion)
    ? [session.defaultRegion, ...regions.filter((region) => region !== session.defaultRegion)]
    : regions;
}

function enterWorkspace(client, session) {
  state.session = session;
  state.signedIn = client;
  replaceChildren(byId('session-user'), session.username);
  replaceChildren(byId('session-tenant'), session.tenantId ?? '–');
  byId('session').hidden = false;
  byId('signin').hidden = true;
  byId('workspace').hidden = false;
  byId('workspace-region').textContent = '';

  const regions = regionChoices(session);
  const select = byId('region');
  replaceChildren(
    select,
    regions.map((region) => el('option', { value: region }, region.toUpperCase())),
  );
  if (!regions.length) {
    showError(byId('workspace-error'), 'This account has RackConnect v3 in no region (no RackConnect endpoint in its catalog).');
    byId('workspace-title').focus();
    return;
  }
  select.value = regions[0];
  switchRegion(regions[0]);
  // A screen reader (and the keyboard) starts at the top of what just appeared.
  byId('workspace-title').focus();
}

function switchRegion(region) {
  if (!state.signedIn) return;
  state.region = region;
  byId('workspace-region').textContent = ` in ${region.toUpperCase()}`;
  showError(byId('workspace-error'), null);
  // Same sign-in, another region's endpoints: nothing is sent to Identity.
  state.client = state.signedIn.withRegion(region);
  loadRegion();
}

async function onSignOut() {
  cancelAll();
  const signedIn = state.signedIn;
  state.loadGeneration++;
  Object.assign(state, {
    identityUrl: null,
    signedIn: null,
    client: null,
    session: null,
    region: null,
    servers: [],
    pools: [],
    nodesByPool: new Map(),
    publicIps: [],
    poolProgress: new Map(),
  });
  // Revoke the token (one for every region); the page is signed out whatever Identity answers.
  await signedIn?.signOut().catch(() => {});
  for (const id of ['network-list', 'pool-list', 'ip-list', 'operation-list', 'add-node-progress', 'ip-progress']) {
    replaceChildren(byId(id));
  }
  byId('operations').hidden = true;
  byId('workspace').hidden = true;
  byId('session').hidden = true;
  byId('signin').hidden = false;
  byId('username').focus();
}

/* ------------------------------------------------------------------------------------------ */
/* Loading and showing a region                                                                */
/* ------------------------------------------------------------------------------------------ */

async function loadRegion() {
  const client = state.client;
  if (!client) return;
  const generation = ++state.loadGeneration;
  const status = byId('refresh-status');
  status.textContent = 'Loading…';
  byId('workspace').setAttribute('aria-busy', 'true');
  try {
    // Cloud Servers is asked separately: without it the lists still show, only names are missing.
    const serversPromise = client.listServers().then(
      (servers) => ({ servers, error: null }),
      (error) => ({ servers: [], error }),
    );
    const [networks, pools, publicIps] = await Promise.all([
      client.listNetworks(),
      client.listPools(),
      client.listPublicIps(),
    ]);
    const nodeLists = await Promise.all(pools.map((pool) => client.listNodeDetails(pool.id)));
    const { servers, error: serverError } = await serversPromise;
    if (generation !== state.loadGeneration) return; // a newer load or a sign-out won
    Object.assign(state, {
      servers,
      serverError,
      pools,
      publicIps,
      nodesByPool: new Map(pools.map((pool, index) => [pool.id, nodeLists[index]])),
    });
    renderNetworks(networks);
    renderPools();
    renderPublicIps();
    renderServerChoices();
    showError(byId('workspace-error'), null);
    status.textContent = `${state.region.toUpperCase()} · updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (generation !== state.loadGeneration) return;
    status.textContent = '';
    showDescribedError(byId('workspace-error'), error, { during: 'action', url: state.identityUrl });
  } finally {
    if (generation === state.loadGeneration) byId('workspace').removeAttribute('aria-busy');
  }
}

let refreshTimer = null;
/** Reloads soon, once, however many status changes arrive together. */
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => loadRegion(), 150);
}

function serverName(id) {
  const server = state.servers.find((candidate) => candidate.id?.toLowerCase() === id?.toLowerCase());
  return server?.name ?? null;
}

function emptyNote(text) {
  return el('li', { class: 'empty' }, text);
}

function renderNetworks(networks) {
  replaceChildren(
    byId('network-list'),
    networks.length
      ? networks.map((network) =>
          el(
            'li',
            { class: 'item', 'data-id': network.id },
            el(
              'div',
              { class: 'item__main' },
              el('span', { class: 'item__title' }, network.name ?? 'unnamed network'),
              el('span', { class: 'item__meta' }, el('span', {}, `CIDR ${network.cidr ?? '–'}`), el('code', {}, network.id)),
            ),
          ),
        )
      : emptyNote('No cloud networks in this region.'),
  );
}

function nodeItem(pool, node) {
  const server = node.cloud_server ?? {};
  const name = server.name ?? serverName(server.id) ?? server.id;
  const privateIp = server.cloud_network?.private_ip_v4;
  const removable = REMOVABLE_NODE_STATES.has(node.status);
  return el(
    'li',
    { class: 'item', 'data-node-id': node.id, 'data-server-id': server.id, 'data-status': node.status },
    el(
      'div',
      { class: 'item__main' },
      el('span', { class: 'item__title' }, el('span', { class: 'node__name' }, name), badge(node.status)),
      el(
        'span',
        { class: 'item__meta' },
        privateIp ? el('span', {}, privateIp) : null,
        el('code', {}, `node ${node.id}`),
      ),
      node.status_detail ? el('span', { class: 'item__detail' }, node.status_detail) : null,
    ),
    el(
      'div',
      { class: 'item__actions' },
      el(
        'button',
        {
          type: 'button',
          class: 'button button--small button--danger',
          disabled: !removable,
          title: removable ? null : `Cannot remove while ${node.status}`,
          'aria-label': `Remove ${name} from ${pool.name ?? pool.id}`,
          onclick: (event) => onRemoveNode(event.currentTarget, pool, node, name),
        },
        'Remove',
      ),
    ),
  );
}

function renderPools() {
  const list = byId('pool-list');
  if (!state.pools.length) {
    replaceChildren(list, el('p', { class: 'empty' }, 'No load balancer pools in this region.'));
    placeOperations();
    return;
  }
  replaceChildren(
    list,
    state.pools.map((pool) => {
      const nodes = state.nodesByPool.get(pool.id) ?? [];
      const counts = pool.node_counts;
      const titleId = `pool-${pool.id}`;
      return el(
        'article',
        { class: 'pool', 'data-pool-id': pool.id, 'aria-labelledby': titleId },
        el(
          'div',
          { class: 'pool__head' },
          el('h3', { class: 'item__title', id: titleId }, pool.name ?? pool.id, badge(pool.status)),
          el(
            'p',
            { class: 'item__meta' },
            el('span', {}, `port ${pool.port ?? '–'}`),
            el('span', {}, `virtual IP ${pool.virtual_ip ?? '–'}`),
            counts ? el('span', { title: 'Counts lag changes by up to a minute' }, `${counts.total} node(s)`) : null,
            el('code', {}, pool.id),
          ),
          pool.status_detail ? el('p', { class: 'item__detail' }, pool.status_detail) : null,
        ),
        poolProgress(pool),
        el(
          'ul',
          { class: 'items', 'aria-label': `Members of ${pool.name ?? pool.id}` },
          nodes.length ? nodes.map((node) => nodeItem(pool, node)) : emptyNote('No members.'),
        ),
      );
    }),
  );
  // A pool that is gone takes its list with it: its entries go back to the panel.
  placeOperations();
}

/** The pool's list of removes being watched (on a narrow screen), the same element every render. */
function poolProgress(pool) {
  let list = state.poolProgress.get(pool.id);
  if (!list) {
    list = el('ul', {
      class: 'operations operations--inline',
      'aria-live': 'polite',
      'aria-label': `Changes to ${pool.name ?? pool.id}`,
    });
    state.poolProgress.set(pool.id, list);
  }
  return list;
}

function renderPublicIps() {
  replaceChildren(
    byId('ip-list'),
    state.publicIps.length
      ? state.publicIps.map((ip) => {
          const server = ip.cloud_server;
          const name = server ? server.name ?? serverName(server.id) ?? server.id : null;
          const removable = REMOVABLE_IP_STATES.has(ip.status);
          const label = ip.public_ip_v4 ?? 'address not allocated yet';
          return el(
            'li',
            { class: 'item', 'data-ip-id': ip.id, 'data-status': ip.status, 'data-server-id': server?.id ?? '' },
            el(
              'div',
              { class: 'item__main' },
              el('span', { class: 'item__title' }, el('span', { class: 'ip__address' }, label), badge(ip.status),
                ip.retain ? el('span', { class: 'badge badge--other' }, 'RETAINED') : null),
              el(
                'span',
                { class: 'item__meta' },
                el('span', {}, name ? `server ${name}` : 'not assigned to a server'),
                el('code', {}, ip.id),
              ),
              ip.status_detail ? el('span', { class: 'item__detail' }, ip.status_detail) : null,
            ),
            el(
              'div',
              { class: 'item__actions' },
              el(
                'button',
                {
                  type: 'button',
                  class: 'button button--small button--danger',
                  disabled: !removable,
                  title: removable ? null : `Cannot delete while ${ip.status}`,
                  'aria-label': `Delete public IP ${label}`,
                  onclick: (event) => onDeletePublicIp(event.currentTarget, ip, label),
                },
                'Delete',
              ),
            ),
          );
        })
      : emptyNote('No public IPs in this region.'),
  );
}

/**
 * Fills a select, keeping the chosen value when it is still there. `options` are
 * `{value, label, reason}`: those with a `reason` (not fit, by the core's rule) come after the
 * others, in a group saying why, and are never the default; with no fit option the default is a
 * placeholder that chooses nothing.
 */
function fillSelect(select, options, { empty, noneFit, unfitGroup }) {
  const previous = select.value;
  const option = ({ value, label, reason }) => el('option', { value }, reason ? `${label} · ${reason}` : label);
  const fit = options.filter((candidate) => !candidate.reason);
  const unfit = options.filter((candidate) => candidate.reason);
  if (!options.length) {
    replaceChildren(select, el('option', { value: '' }, empty));
  } else {
    replaceChildren(
      select,
      fit.length ? fit.map(option) : el('option', { value: '' }, noneFit),
      unfit.length ? el('optgroup', { label: unfitGroup }, unfit.map(option)) : null,
    );
  }
  select.value = options.some((candidate) => candidate.value === previous) ? previous : fit[0]?.value ?? '';
}

function renderServerChoices() {
  const { poolFitness, serverFitness } = state.rc;
  const withIp = new Set(state.publicIps.map((ip) => ip.cloud_server?.id?.toLowerCase()).filter(Boolean));
  const servers = [...state.servers].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const describe = (server) => {
    const automation = server.rackconnect?.automation_status;
    return `${server.name ?? server.id}${automation ? ` (${automation})` : ''}`;
  };
  const none = state.serverError ? 'Cloud Servers could not be listed' : 'No cloud servers in this region';
  const serverTexts = {
    empty: none,
    noneFit: 'Choose a server (none is ready: see below)',
    unfitGroup: 'Not ready: automation failed or does not apply',
  };
  // Which servers and pools are fit to be the default is the core's rule (serverFitness, poolFitness).
  const serverOptions = (suffix) =>
    servers.map((server) => ({
      value: server.id,
      label: `${describe(server)}${suffix(server)}`,
      reason: serverFitness(server).reason,
    }));
  fillSelect(byId('node-server'), serverOptions(() => ''), serverTexts);
  fillSelect(
    byId('ip-server'),
    serverOptions((server) => (withIp.has(server.id.toLowerCase()) ? ' · has a public IP' : '')),
    serverTexts,
  );
  fillSelect(
    byId('node-pool'),
    state.pools.map((pool) => ({
      value: pool.id,
      label: `${pool.name ?? pool.id} (port ${pool.port ?? '–'})`,
      reason: poolFitness(pool).reason,
    })),
    {
      empty: 'No pools in this region',
      noneFit: 'Choose a pool (none is ACTIVE: see below)',
      unfitGroup: 'Not ACTIVE: RackConnect refuses changes',
    },
  );
  if (state.serverError) {
    showDescribedError(byId('workspace-error'), state.serverError, { during: 'action' });
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Changes and watching them                                                                   */
/* ------------------------------------------------------------------------------------------ */

/** Turns the waiter's progress events into the entry's status line. */
function progressTo(operation, target) {
  return (event) => {
    if (event.event === 'status' || event.event === 'unknown_status') {
      operation.status(event.status, `${event.status}: waiting until ${target}…`);
      if (event.changed) refreshSoon();
    } else if (event.event === 'rate_limited') {
      operation.status('WAITING', 'The service is limiting requests; waiting before the next look.');
    } else if (event.event === 'retrying') {
      operation.status('RETRYING', `Retrying: ${event.reason}`);
    }
  };
}

/** Ends an entry from a wait's result (resolved whatever the outcome). */
function finishFromWait(operation, result, doneText) {
  // The verdict and its words are the core's (`ok`, `summary`), as in the CLI, Ansible and Salt.
  if (result.ok) {
    operation.finish('done', doneText);
    return;
  }
  if (result.outcome === 'timed_out') {
    operation.finish('failed', 'Gave up waiting; the change may still finish. Refresh to see.', [result.summary]);
  } else if (result.outcome === 'error' || result.outcome === 'forbidden') {
    const described = describeError(result.error ? state.rc.toError(result.error) : new Error('failed'));
    operation.finish('failed', described.title, [...described.details, result.summary]);
  } else {
    // What happened, once, in the core's words: "ADD_FAILED: Unable to communicate with network
    // device" (the status RackConnect ended it in, then its status_detail).
    operation.finish('failed', result.summary);
  }
}

/** Ends an entry from a rejection: cancelled (stopped watching) or an error. */
function finishFromError(operation, error) {
  if (error?.code === 'cancelled' || error?.name === 'AbortError') {
    operation.finish('cancelled', 'Stopped watching. The change itself goes on at RackConnect; refresh to see it.');
    return;
  }
  const described = describeError(error, { during: 'action' });
  operation.finish('failed', described.title, described.details);
}

/** Sends the change with the button busy; errors before it is accepted go to `errorSlot`. */
async function send(button, busyText, errorSlot, request) {
  const idleText = button.textContent;
  button.disabled = true;
  button.textContent = busyText;
  showError(errorSlot, null);
  try {
    return await request();
  } catch (error) {
    showDescribedError(errorSlot, error, { during: 'action', url: state.identityUrl });
    return null;
  } finally {
    button.disabled = false;
    button.textContent = idleText;
  }
}

async function watch(operation, wait, doneText, target) {
  try {
    const result = await wait({ signal: operation.signal, onProgress: progressTo(operation, target) });
    finishFromWait(operation, result, doneText);
  } catch (error) {
    finishFromError(operation, error);
  } finally {
    refreshSoon();
  }
}

async function onAddNode(event) {
  event.preventDefault();
  const client = state.client;
  const serverId = byId('node-server').value;
  const poolId = byId('node-pool').value;
  const errorSlot = byId('add-node-error');
  if (!serverId || !poolId) {
    showError(errorSlot, 'Choose a cloud server and a pool.');
    return;
  }
  const server = serverName(serverId) ?? serverId;
  const pool = state.pools.find((candidate) => candidate.id === poolId)?.name ?? poolId;
  const button = event.submitter ?? event.target.querySelector('button[type="submit"]');
  const node = await send(button, 'Adding…', errorSlot, () => client.addNode(poolId, serverId));
  if (!node) return;
  refreshSoon();
  const operation = startOperation(`Add ${server} to ${pool}`, { near: byId('add-node-progress') });
  operation.status(node.status, `${node.status}: waiting until ACTIVE…`);
  await watch(
    operation,
    (options) => client.waitNodes([{ poolId, nodeId: node.id }], { ...options, until: 'active' }),
    `${server} is an ACTIVE member of ${pool}.`,
    'ACTIVE',
  );
}

async function onRemoveNode(button, pool, node, name) {
  const client = state.client;
  const poolName = pool.name ?? pool.id;
  const errorSlot = byId('add-node-error');
  const accepted = await send(button, 'Removing…', errorSlot, async () => {
    await client.removeNode(pool.id, node.id);
    return true;
  });
  if (!accepted) return;
  refreshSoon();
  const operation = startOperation(`Remove ${name} from ${poolName}`, { near: poolProgress(pool) });
  operation.status('REMOVING', 'REMOVING: waiting until it is gone…');
  await watch(
    operation,
    (options) => client.waitNodes([{ poolId: pool.id, nodeId: node.id }], { ...options, until: 'gone' }),
    `${name} is no longer a member of ${poolName}.`,
    'gone',
  );
}

async function onCreatePublicIp(event) {
  event.preventDefault();
  const client = state.client;
  const serverId = byId('ip-server').value;
  const retain = byId('ip-retain').checked;
  const errorSlot = byId('add-ip-error');
  if (!serverId) {
    showError(errorSlot, 'Choose a cloud server.');
    return;
  }
  const server = serverName(serverId) ?? serverId;
  const button = event.submitter ?? event.target.querySelector('button[type="submit"]');
  const ip = await send(button, 'Creating…', errorSlot, () => client.createPublicIp({ serverId, retain }));
  if (!ip) return;
  refreshSoon();
  const operation = startOperation(`Create a public IP for ${server}`, { near: byId('ip-progress') });
  operation.status(ip.status, `${ip.status}: waiting until ACTIVE…`);
  try {
    const result = await client.waitPublicIp(ip.id, {
      until: 'active',
      signal: operation.signal,
      onProgress: progressTo(operation, 'ACTIVE'),
    });
    const address = result.public_ip?.public_ip_v4;
    finishFromWait(operation, result, `${address ?? 'The public IP'} is ACTIVE for ${server}.`);
  } catch (error) {
    finishFromError(operation, error);
  } finally {
    refreshSoon();
  }
}

async function onDeletePublicIp(button, ip, label) {
  const client = state.client;
  const accepted = await send(button, 'Deleting…', byId('add-ip-error'), async () => {
    await client.deletePublicIp(ip.id);
    return true;
  });
  if (!accepted) return;
  refreshSoon();
  const operation = startOperation(`Delete public IP ${label}`, { near: byId('ip-progress') });
  operation.status('REMOVING', 'REMOVING: waiting until it is gone…');
  await watch(
    operation,
    (options) => client.waitPublicIp(ip.id, { ...options, until: 'gone' }),
    `Public IP ${label} is gone.`,
    'gone',
  );
}

start();
