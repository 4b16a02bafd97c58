/** esbuild bundles the CSS the app imports (app.css); TypeScript only needs to know such imports exist. */
declare module '*.css';
