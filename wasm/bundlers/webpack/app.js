// The webpack recipe: the plain import and no configuration. webpack 5 follows the package's
// `new URL(…, import.meta.url)` and emits the .wasm as an asset; top-level await is on by default
// since 5.83. `rackconnect/emulator` the same way: its own .wasm, in a chunk of its own here.
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
  // The same listing from the emulator running in the page: nothing sent anywhere.
  const { Emulator } = await import("rackconnect/emulator");
  const emulated = await new Client(new Emulator().clientOptions()).listPools();
  show("done", { version, pools: pools.map((pool) => pool.name), emulatorPools: emulated.map((pool) => pool.name) });
} catch (error) {
  show("failed", { error: `${error.name}: ${error.message}` });
}
