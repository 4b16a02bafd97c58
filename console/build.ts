import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Builds the operator console in memory: `index.html`, `app.js` (Preact + uPlot, minified) and `app.css`.
 * `cascade serve` serves the result at `/console/`; the deployment and the screenshots write it to a folder
 * (`node --import tsx console/build.ts --out DIR`). `config.json` is not part of the build: each host provides
 * its own, so one bundle runs everywhere.
 */

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
}

export interface ConsoleBuild {
  files: Map<string, ConsoleFile>;
  /** The gzip size of all files together: the budget is 250 KB. */
  gzipBytes: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ENTRY = path.join(HERE, 'src', 'main.tsx');

/** Same origin for everything; the API and Cognito's token endpoint when elsewhere (deployed). */
export function consoleContentSecurityPolicy(options: { apiOrigin?: string; authOrigin?: string } = {}): string {
  const connect = ["'self'", options.apiOrigin, options.authOrigin].filter(Boolean).join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy when the API is on the console's origin (`cascade serve`). No inline script or style anywhere. */
export const CONSOLE_CONTENT_SECURITY_POLICY = consoleContentSecurityPolicy();

export const CONSOLE_INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cascade console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./app.css">
<script type="module" src="./app.js"></script>
</head>
<body>
<div id="app"><noscript>The Cascade console needs JavaScript.</noscript></div>
</body>
</html>
`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export async function buildConsole(): Promise<ConsoleBuild> {
  const result = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    write: false,
    outdir: path.join(HERE, 'dist'),
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const files = new Map<string, ConsoleFile>();
  files.set('index.html', { body: Buffer.from(CONSOLE_INDEX_HTML), contentType: CONTENT_TYPES['.html'] as string });
  for (const output of result.outputFiles) {
    const name = path.basename(output.path);
    files.set(name, {
      body: Buffer.from(output.contents),
      contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
    });
  }
  const gzipBytes = [...files.values()].reduce((total, file) => total + gzipSync(file.body, { level: 9 }).length, 0);
  return { files, gzipBytes };
}

/** Writes the build to `dir` (created if missing). */
export async function writeConsole(dir: string): Promise<ConsoleBuild> {
  const built = await buildConsole();
  await mkdir(dir, { recursive: true });
  for (const [name, file] of built.files) await writeFile(path.join(dir, name), file.body);
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'console/dist' } } });
  const out = path.resolve(values.out as string);
  const built = await writeConsole(out);
  process.stdout.write(
    `console: ${[...built.files.keys()].join(', ')} → ${out} (${(built.gzipBytes / 1024).toFixed(1)} KB gzipped)\n`,
  );
}
