/** A served API's answer: the status and the JSON body (undefined when the body is empty). */
export interface JsonAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
  body: any;
}

/**
 * One JSON call to an API served on `baseUrl`: `Authorization: Bearer <token>` unless the token is null,
 * and the body sent as JSON when one is given.
 */
export async function callJson(
  baseUrl: string,
  method: string,
  pathname: string,
  options: { body?: unknown; token: string | null },
): Promise<JsonAnswer> {
  const { body, token } = options;
  const response = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
