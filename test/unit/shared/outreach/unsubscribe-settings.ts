import { afterEach, beforeEach } from 'vitest';
import { primeSecrets } from '#shared/secrets';

export const TEST_UNSUBSCRIBE_SECRET = 'test-signing-secret';

/** Gives each test of the calling file what unsubscribe links need (signing secret, public API URL), then removes it. */
export function withUnsubscribeSettings(): void {
  beforeEach(() => {
    primeSecrets({ CASCADE_UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET });
    process.env.CASCADE_PUBLIC_API_URL = 'https://outreach.example.com/';
  });
  afterEach(() => {
    primeSecrets({ CASCADE_UNSUBSCRIBE_SECRET: undefined });
    delete process.env.CASCADE_PUBLIC_API_URL;
  });
}
