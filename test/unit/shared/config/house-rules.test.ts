import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rules that keep what runs locally what deploys: handlers behind the one entry wrapper, AWS clients made in
 * one place, the environment read only through the settings module (which the stack builds environments from).
 */
const ROOT = path.resolve(__dirname, '../../../..');

function sources(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder)).flatMap((name) => {
    const relative = path.join(folder, name);
    if (statSync(path.join(ROOT, relative)).isDirectory()) return sources(relative);
    return relative.endsWith('.ts') ? [relative] : [];
  });
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const core = [...sources('shared'), ...sources('functions')];

describe('house rules', () => {
  it('every Lambda handler is built by the one entry wrapper', () => {
    // Prepare
    const handlers = sources('functions').filter((file) =>
      /^functions\/[^/]+\/index\.ts$/.test(file.split(path.sep).join('/')),
    );

    // Act
    const unwrapped = handlers.filter((file) => !/from '\.\.\/commons\/(entry|channel-entry)'/.test(read(file)));

    // Assess
    expect(handlers.length).toBe(12);
    expect(unwrapped).toEqual([]);
  });

  it('AWS SDK clients are made only in shared/aws/clients.ts', () => {
    // Act
    const offenders = core.filter(
      (file) =>
        file !== path.join('shared', 'aws', 'clients.ts') &&
        /new (DynamoDB|SFN|SESv2|S3|SSM|EventBridge|Lambda)Client\(/.test(read(file)),
    );

    // Assess
    expect(offenders).toEqual([]);
  });

  it('the environment is read only by the settings module (and the secrets and test fault seams)', () => {
    // Prepare
    const allowed = new Set(['shared/config/settings.ts', 'shared/secrets.ts', 'shared/faults.ts']);

    // Act
    const offenders = core.filter(
      (file) =>
        !allowed.has(file.split(path.sep).join('/')) &&
        /process\.env\b/.test(read(file).replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')),
    );

    // Assess
    expect(offenders).toEqual([]);
  });
});

describe('one error family', () => {
  it('every error class extends CascadeError (or one of its subclasses), so each has a code, a kind and a cause', () => {
    // Prepare
    const code = ['shared', 'functions', 'cli', 'local', 'infra'].flatMap(sources);

    // Act
    const offenders = code.flatMap((file) =>
      [...read(file).matchAll(/class (\w+) extends (\w+)\b/g)]
        .filter(([, , base]) => base === 'Error' && file !== path.join('shared', 'errors.ts'))
        .map(([, name]) => `${file}: ${name}`),
    );

    // Assess
    expect(offenders).toEqual([]);
  });

  it('the API maps errors by kind, never by class-name strings', () => {
    // Act
    const errors = read(path.join('functions', 'api', 'errors.ts'));

    // Assess
    expect(errors).not.toMatch(/\.name\b|\[['"]\w+Error['"]\]|\b\w+Error: \{/);
  });
});
