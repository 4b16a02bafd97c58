import { ApiClient } from './api-client';
import type { ApiServer } from './serve';

/** The options every API verb takes. */
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
 * Runs one command against an API: `--api URL` / `CASCADE_API_URL` (token from `--token` /
 * `CASCADE_API_TOKEN`), else the embedded stack and API started in this process for the command's
 * duration (state kept only with `--data DIR`).
 */
export async function withApi<T>(options: ApiCommandOptions, work: (session: ApiSession) => Promise<T>): Promise<T> {
  const apiUrl = options.api ?? process.env.CASCADE_API_URL;
  if (apiUrl) {
    if (options.data)
      throw new Error(
        '--data is for the embedded stack; with --api the server keeps its own data (cascade serve --data)',
      );
    const client = new ApiClient({ baseUrl: apiUrl, token: options.token ?? process.env.CASCADE_API_TOKEN });
    return work({ client });
  }
  const { startApiServer } = await import('./serve');
  const embedded = await startApiServer({ dataDir: options.data, token: options.token });
  try {
    return await work({ client: new ApiClient({ baseUrl: embedded.url, token: embedded.token }), embedded });
  } finally {
    await embedded.close();
  }
}
