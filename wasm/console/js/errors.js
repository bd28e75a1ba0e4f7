// Turns whatever a call threw into words for the person at the keyboard, by the package's
// stable error `code`. Secrets never reach the page: every text passes through `redact`.

import { el } from './dom.js';

/** Replaces every occurrence of each secret (API key, password) in `text`. */
export function redact(text, secrets = []) {
  let clean = String(text ?? '');
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join('•••');
  }
  return clean;
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url || 'the service';
  }
}

function retryHint(error) {
  return error.retryAfter ? ` Wait ${error.retryAfter} s and try again.` : ' Wait a minute and try again.';
}

/** The API's own words (the `errors` list, or the fault message), without repeats. */
function apiWords(error) {
  const words = Array.isArray(error.messages) ? error.messages.filter(Boolean) : [];
  return [...new Set(words)];
}

/**
 * Explains an error. `context.during` is `signin` or `action`; `context.url` is where the
 * request went (for "cannot reach"). Returns `{title, details: string[]}`.
 */
export function describeError(error, context = {}) {
  const code = error?.code;
  const words = apiWords(error ?? {});
  const during = context.during ?? 'action';
  switch (code) {
    case 'unauthorized':
      if (during === 'signin') {
        return {
          title: 'Identity did not accept this username and API key or password. Check them and try again.',
          details: words,
        };
      }
      return { title: 'Your session has expired or was revoked. Sign in again.', details: words };
    case 'mfa_required':
      return {
        title:
          'This user must sign in with a second factor (a passcode), which the console does not support. ' +
          'Sign in with an API key instead.',
        details: [],
      };
    case 'forbidden':
      return {
        title:
          during === 'signin'
            ? 'Identity refused this user (disabled, or multi-factor set-up required).'
            : 'The service refused this request: the account may lack RackConnect v3 in this region.',
        details: words,
      };
    case 'conflict':
      return { title: 'RackConnect refused the change:', details: words.length ? words : [error.message] };
    case 'not_found':
      return { title: 'RackConnect does not know it (404):', details: words.length ? words : [error.message] };
    case 'bad_request':
      return { title: 'The service rejected the request as malformed (400):', details: words };
    case 'rate_limited':
      return { title: `Too many requests: the service is limiting this account.${retryHint(error)}`, details: words };
    case 'server_error':
      return {
        title: `The service had an internal error (HTTP ${error.status}). Try again in a moment.`,
        details: words,
      };
    case 'unexpected_status':
      return { title: `The service answered HTTP ${error.status}, which the console did not expect.`, details: words };
    case 'transport':
      if (error.transportKind === 'insecure_url') {
        // Refused by the package before anything was sent: a key must not cross the network in clear.
        return {
          title:
            during === 'signin'
              ? `${context.url || 'This Identity URL'} is not a secure address: the console sends your API key or ` +
                'password only over https://, or over plain http:// to this computer (127.0.0.1 or localhost). ' +
                'Nothing was sent. Use the https:// address.'
              : 'An address in your service catalog is not secure (plain http:// to another computer), so the ' +
                'console sent nothing to it.',
          details: during === 'signin' ? [] : error.detail ? [error.detail] : [],
        };
      }
      return {
        title:
          `Cannot reach ${hostOf(context.url)}: the network is down, the address is wrong, or the ` +
          'service does not accept requests from a browser (for the emulator, start it with --cors).',
        details: error.detail ? [error.detail] : [],
      };
    case 'cancelled':
      return { title: 'Cancelled.', details: [] };
    case 'invalid_input':
      return { title: error.message, details: [] };
    case 'json':
    case 'xml':
    case 'xml_doctype':
    case 'text':
    case 'body_too_large':
    case 'too_deep':
    case 'missing_header':
      return { title: 'The service sent an answer the console cannot read:', details: [error.message] };
    default:
      if (error instanceof TypeError && /fetch/i.test(error.message)) {
        return { title: `Cannot reach ${hostOf(context.url)}: the network is down or the address is wrong.`, details: [] };
      }
      return { title: error?.message ? String(error.message) : String(error), details: [] };
  }
}

/** The nodes that show a described error: the title, then the API's words as a list. */
export function errorContent({ title, details }, secrets = []) {
  const items = details.map((line) => el('li', {}, redact(line, secrets)));
  return [el('p', {}, redact(title, secrets)), items.length ? el('ul', {}, items) : null];
}
