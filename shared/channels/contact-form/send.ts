import { randomBytes } from 'node:crypto';
import { OutboundRequestError } from '#shared/http/errors';
import { type OutboundResponse, outboundRequest } from '#shared/http/outbound';
import { type FormFetchOptions, guardedInit, isOutboundBlocked, withoutFragment } from './fetch';
import type { ParsedForm } from './form-model';
import type { Judgement } from './judge-response';

/**
 * Sending a planned submission as the browser would: encoded as the form's method and enctype say, from the
 * page (Referer, Origin, the visit's cookie jar), following the site's redirects through the outbound guard.
 */

export interface EncodedSubmission {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** A request that did not bring an answer to judge, judged by how far it may have gone. */
export type SendFailure = Judgement & {
  /** The outbound guard refused the form's target (a private address): nothing was sent. */
  blocked?: string;
};

export type SendOutcome = { response: OutboundResponse } | { failure: SendFailure };

function multipartBody(fields: Record<string, string>, mark: string): string {
  const quoteName = (name: string) => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${mark}\r\nContent-Disposition: form-data; name="${quoteName(name)}"\r\n\r\n${value.replace(/\r?\n/g, '\r\n')}\r\n`,
  );
  return `${parts.join('')}--${mark}--\r\n`;
}

function textPlainBody(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}=${value}\r\n`)
    .join('');
}

/** Encode the fields the way a browser submits the form (method and enctype). */
export function encodeSubmission(
  form: ParsedForm,
  fields: Record<string, string>,
  boundary?: string,
): EncodedSubmission {
  const target = withoutFragment(form.action);
  const params = new URLSearchParams(Object.entries(fields));
  if (form.method !== 'POST') {
    target.search = params.toString();
    return { url: target.href, method: 'GET', headers: {} };
  }
  if (form.enctype === 'multipart/form-data') {
    const mark = boundary ?? `----CascadeFormBoundary${randomBytes(12).toString('hex')}`;
    const headers = { 'content-type': `multipart/form-data; boundary=${mark}` };
    return { url: target.href, method: 'POST', headers, body: multipartBody(fields, mark) };
  }
  if (form.enctype === 'text/plain') {
    const headers = { 'content-type': 'text/plain;charset=UTF-8' };
    return { url: target.href, method: 'POST', headers, body: textPlainBody(fields) };
  }
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  return { url: target.href, method: 'POST', headers, body: params.toString() };
}

/** What a failed request means for the lead: whether the site may have the message decides it. */
function sendFailure(error: unknown, targetUrl: string): SendFailure {
  const message = (error as Error).message;
  if (isOutboundBlocked(error)) {
    // Refused at the form's target: nothing left. Refused on a redirect after the post: the site had it.
    const refusedUrl = (error as { url?: string }).url;
    if (refusedUrl && refusedUrl !== targetUrl) {
      const detail = `submission redirected to a refused address: ${message}`;
      return { outcome: 'STOP', reason: 'ambiguous_send', delivered: true, detail };
    }
    const detail = `submission refused: ${message}`;
    return { outcome: 'FALLBACK', reason: 'form_unreachable', delivered: false, detail, blocked: message };
  }
  const detail = `submission: ${message}`;
  if (!(error instanceof OutboundRequestError)) {
    return { outcome: 'FALLBACK', reason: 'form_unreachable', delivered: false, detail };
  }
  if (!error.maybeDelivered) return { outcome: 'RETRY', reason: 'provider_error', delivered: false, detail };
  // The request may have reached the site: sending again could reach the lead twice.
  return { outcome: 'STOP', reason: 'ambiguous_send', delivered: true, detail };
}

/** Post (or get) the fields to the form's action as the browser would from `pageUrl`. */
export async function sendSubmission(
  form: ParsedForm,
  fields: Record<string, string>,
  pageUrl: string,
  options: FormFetchOptions,
): Promise<SendOutcome> {
  const encoded = encodeSubmission(form, fields);
  const headers: Record<string, string> = {
    ...encoded.headers,
    accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8',
    referer: pageUrl,
    origin: new URL(pageUrl).origin,
  };
  const body = encoded.body !== undefined ? { body: encoded.body } : {};
  const init = guardedInit({ method: encoded.method, headers, ...body, maxRedirects: 5 }, options);
  try {
    return { response: await outboundRequest(encoded.url, init) };
  } catch (error) {
    return { failure: sendFailure(error, encoded.url) };
  }
}
