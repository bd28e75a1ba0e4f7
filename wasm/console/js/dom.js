// Small DOM helpers. Text from the network always goes in as text nodes, never as HTML, and
// through the package's terminalSafe once it is loaded (control characters shown escaped).

let safeText = (text) => text;

/** Sets how text is shown: the package's `terminalSafe`, once the package has loaded. */
export function showTextWith(filter) {
  safeText = filter;
}

/**
 * Creates an element: `el('p', {class: 'x', onclick: fn}, 'text', child, …)`.
 * `null`, `undefined` and `false` children are skipped; arrays are flattened.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : safeText(String(child)));
  }
}

/** Replaces every child of `node`. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/** Shows `content` (text, a node or a list of them) in an error slot, or hides it when empty. */
export function showError(slot, content) {
  const empty = content === null || content === undefined || content === '';
  replaceChildren(slot, empty ? [] : content);
  slot.hidden = empty;
}

/** The badge class for a RackConnect status word; unknown words are shown plainly. */
export function statusTone(status) {
  const word = String(status ?? '').toUpperCase();
  if (['ACTIVE', 'DEPLOYED', 'ENABLED', 'COMPLETE', 'DONE', 'GONE'].includes(word)) return 'ok';
  if (word.endsWith('FAILED') || word === 'UNPROCESSABLE' || word.includes('ERROR')) return 'bad';
  if (['ADDING', 'REMOVING', 'UPDATING', 'DEPLOYING', 'PENDING_BUILD', 'PENDING', 'IN PROGRESS', 'SENDING'].includes(word)) {
    return 'busy';
  }
  return 'other';
}

export function badge(status) {
  const text = status === null || status === undefined || status === '' ? 'UNKNOWN' : String(status);
  return el('span', { class: `badge badge--${statusTone(text)}` }, text);
}
