import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { MiddlewareObj } from '@middy/core';
import { ssmClient } from './aws/clients';
import { ConfigurationError, SECRET_NAMES, SECRETS, type SecretName } from './config/settings';

export { SECRET_NAMES, type SecretName };

/**
 * Secrets come from SSM Parameter Store (SecureString, through Powertools Parameters, cached for 5 minutes):
 * a function is given the parameter's *name* (`<NAME>_PARAMETER`) and reads the value. There is no other
 * source — locally the embedded stack's SSM peer holds them under the template's names — so a function the
 * template gives no parameter name cannot read the secret here either. Values are never logged or returned.
 */
const loaded = new Map<SecretName, string>();
let provider: SSMProvider | undefined;

/** `forceFetch` skips Powertools' 5-minute cache (an operator who just rotated a secret). */
export async function loadSecrets(options: { forceFetch?: boolean } = {}): Promise<void> {
  provider ??= new SSMProvider({ awsSdkV3Client: ssmClient() });
  const ssm = provider;
  await Promise.all(
    SECRET_NAMES.map(async (name) => {
      const parameter = process.env[SECRETS[name].parameterEnv];
      if (!parameter) return;
      const value = await ssm.get(parameter, { decrypt: true, maxAge: 300, forceFetch: options.forceFetch ?? false });
      if (typeof value === 'string' && value) loaded.set(name, value);
    }),
  );
}

/** The secret's value once loaded (by the entry wrapper before every invocation); undefined when not given. */
export function secretValue(name: SecretName): string | undefined {
  return loaded.get(name);
}

/** A secret the running code cannot do without. */
export function requiredSecret(name: SecretName): string {
  const value = loaded.get(name);
  if (!value) {
    const parameter = process.env[SECRETS[name].parameterEnv];
    throw new ConfigurationError(
      parameter
        ? `the SSM parameter ${parameter} (${name}) is empty or was not loaded`
        : `${SECRETS[name].parameterEnv} is not set: this function is not given the ${name} parameter`,
    );
  }
  return value;
}

/** Loads the secrets before the handler runs (those whose parameter names this function is given). */
export function secretsMiddleware(): MiddlewareObj {
  return {
    before: async () => {
      await loadSecrets();
    },
  };
}

/**
 * Test seam for unit and in-process tests that exercise signing or verification without an SSM peer: the
 * values they give are what `secretValue` answers. Nothing in the environment reaches it.
 */
export function primeSecrets(values: Partial<Record<SecretName, string>>): void {
  for (const [name, value] of Object.entries(values) as [SecretName, string | undefined][]) {
    if (value === undefined) loaded.delete(name);
    else loaded.set(name, value);
  }
}
