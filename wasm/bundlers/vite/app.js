// The Vite recipe: the plain import. Vite follows the package's `new URL(…, import.meta.url)` and
// ships the .wasm as an asset; the import resolves once the module is ready.
import { Client, version } from "rackconnect";

const result = document.getElementById("result");
function show(state, data) {
  result.dataset.state = state;
  result.textContent = JSON.stringify(data, null, 2);
}

try {
  // Where to sign in: the Identity URL and an account, as the page's host provides them.
  const { identityUrl, username, apiKey } = await (await fetch("./config.json")).json();
  const pools = await new Client({ identityUrl, username, apiKey }).listPools();
  show("done", { version, pools: pools.map((pool) => pool.name) });
} catch (error) {
  show("failed", { error: `${error.name}: ${error.message}` });
}
