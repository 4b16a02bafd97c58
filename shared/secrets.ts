import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import type { MiddlewareObj } from '@middy/core';

/**
 * Secrets come from SSM Parameter Store (SecureString, via Powertools Parameters, cached for 5 minutes)
 * when `<NAME>_PARAMETER` names a parameter — the deployed case — else from the environment (the embedded
 * stack generates them). They are never logged and never returned by the API.
 */
export const SECRET_NAMES = [
  'CASCADE_UNSUBSCRIBE_SECRET',
  'CASCADE_LINKEDIN_API_KEY',
  'CASCADE_LINKEDIN_WEBHOOK_SECRET',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

const loaded = new Map<SecretName, string>();

export async function loadSecrets(): Promise<void> {
  await Promise.all(
    SECRET_NAMES.map(async (name) => {
      const parameter = process.env[`${name}_PARAMETER`];
      if (!parameter) return;
      const value = await getParameter(parameter, { decrypt: true, maxAge: 300 });
      if (value) loaded.set(name, value);
    }),
  );
}

export function secretValue(name: SecretName): string | undefined {
  return loaded.get(name) ?? process.env[name];
}

/** Loads the secrets before the handler runs (a no-op when they come from the environment). */
export function secretsMiddleware(): MiddlewareObj {
  return {
    before: async () => {
      await loadSecrets();
    },
  };
}
