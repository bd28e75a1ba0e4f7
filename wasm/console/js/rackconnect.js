// The one place that names the package's browser build (package.json exports: default).
// Relative, so any static server rooted at wasm/ serves the console and the package alike.
export * from '../../npm/src/browser.js';
