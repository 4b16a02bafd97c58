import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderArchitectureDoc } from '#infra/architecture-doc';
import { PROJECT_ROOT } from '#local/stack';
import { extractStateMachine, synthesizeTemplate } from '#local/synth';

const target = path.join(PROJECT_ROOT, 'docs/architecture.md');
const template = synthesizeTemplate();
writeFileSync(target, renderArchitectureDoc(extractStateMachine(template).definition, template));
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
