// The esbuild recipe: esbuild leaves `new URL(…, import.meta.url)` alone, so the plain import would
// fetch a .wasm it never emitted. Instead the .wasm is imported as a file (--loader:.wasm=file
// emits it and gives its path relative to this bundle) and handed to the explicit init.
import { init, Client, version } from "rackconnect/init";
import wasmUrl from "rackconnect/rackconnect_wasm_bg.wasm";

const result = document.getElementById("result");
function show(state, data) {
  result.dataset.state = state;
  result.textContent = JSON.stringify(data, null, 2);
}

try {
  await init(new URL(wasmUrl, import.meta.url));
  // Where to sign in: the Identity URL and an account, as the page's host provides them.
  const { identityUrl, username, apiKey } = await (await fetch("./config.json")).json();
  const pools = await new Client({ identityUrl, username, apiKey }).listPools();
  show("done", { version, pools: pools.map((pool) => pool.name) });
} catch (error) {
  show("failed", { error: `${error.name}: ${error.message}` });
}
