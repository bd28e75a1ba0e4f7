// The one place that names the package's emulator build (package.json exports "./emulator":
// default), imported only when the console enters try-it mode (its .wasm is loaded then).
export * from '../../npm/src/emulator/browser.js';
