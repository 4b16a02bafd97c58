import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Runs every test of the calling file with the given environment variables unset, and puts back what was
 * there after each test, including anything a test set itself (`process.env.X = …`).
 */
export function isolateEnv(names: readonly string[]): void {
  beforeEach(() => {
    for (const name of names) vi.stubEnv(name, undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
}
