import { ApiClient } from './api-client';
import type { ApiServer } from './serve';
import { explicitAuthMode, resolveAuthMode } from './sigv4';

/** The options every API verb takes (`--auth` is global: see setAuthOption in sigv4.ts). */
export interface ApiCommandOptions {
  api?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

export interface ApiSession {
  client: ApiClient;
  /** The in-process stack when no API was given (closed when the command ends). */
  embedded?: ApiServer;
}

/**
 * Runs one command against an API: `--api URL` / `CASCADE_API_URL`, authenticated per `--auth` /
 * `CASCADE_API_AUTH` (default `iam`, SigV4, for an execute-api URL, else `token`: `--token` /
 * `CASCADE_API_TOKEN`), else the embedded stack and API started in this process for the command's
 * duration (state kept only with `--data DIR`; always its own bearer token).
 */
export async function withApi<T>(options: ApiCommandOptions, work: (session: ApiSession) => Promise<T>): Promise<T> {
  const apiUrl = options.api ?? process.env.CASCADE_API_URL;
  if (apiUrl) {
    if (options.data)
      throw new Error(
        '--data is for the embedded stack; with --api the server keeps its own data (cascade serve --data)',
      );
    const client = new ApiClient({
      baseUrl: apiUrl,
      token: options.token ?? process.env.CASCADE_API_TOKEN,
      auth: resolveAuthMode(apiUrl),
    });
    return work({ client });
  }
  // Signing for a stack that only knows its own token would fail on the first request; say why up front.
  if (explicitAuthMode() === 'iam')
    throw new Error('--auth iam needs --api URL (or CASCADE_API_URL); the embedded stack uses its own bearer token');
  const { startApiServer } = await import('./serve');
  const embedded = await startApiServer({ dataDir: options.data, token: options.token });
  try {
    const client = new ApiClient({ baseUrl: embedded.url, token: embedded.token, auth: 'token' });
    return await work({ client, embedded });
  } finally {
    await embedded.close();
  }
}
