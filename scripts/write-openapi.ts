import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '#functions/api/openapi';

/** Writes docs/openapi.json from the API's zod schemas; a test fails when it drifts from the served document. */
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/openapi.json');
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
