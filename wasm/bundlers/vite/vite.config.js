// `vite build` needs nothing. The dev server's dependency pre-bundling moves the package's code
// away from its .wasm, which Vite 7 then cannot find (Vite 8 can): keep the package out of it.
export default {
  optimizeDeps: { exclude: ["rackconnect"] },
};
