import { CascadeError, type ErrorKind } from '../errors';
import { redactUrl } from './redact';

/**
 * What `outboundRequest` throws. `maybeDelivered` is what the channels judge an at-most-once send by: true
 * when the server may have seen the request, so sending again could deliver twice. The message (which ends
 * up in attempt details and logs) never shows a URL's credentials; `url` is kept as requested, for comparing.
 */
export class OutboundRequestError extends CascadeError {
  readonly code = 'outbound_request_failed';
  readonly kind: ErrorKind = 'unavailable';
  override name = 'OutboundRequestError';
  constructor(
    message: string,
    readonly url: string,
    /** True when the request may have reached the server (the outcome is unknown). */
    readonly maybeDelivered: boolean,
  ) {
    super(redactUrl(message));
  }
}

/** The response body went over the cap; the server did answer, so the request was delivered. */
export class OutboundResponseTooLargeError extends OutboundRequestError {
  override name = 'OutboundResponseTooLargeError';
  constructor(
    message: string,
    url: string,
    readonly limitBytes: number,
  ) {
    super(message, url, true);
  }
}

/**
 * A fetch refused by the guard, before any connection to `url` was made. When the refused URL came from a
 * redirect, an earlier hop did reach a server: `maybeDelivered` says so (e.g. a POST answered by a 302).
 */
export class OutboundBlockedError extends CascadeError {
  readonly code = 'outbound_blocked';
  readonly kind: ErrorKind = 'forbidden';
  override name = 'OutboundBlockedError';
  constructor(
    readonly url: string,
    /** Why, e.g. `127.0.0.1 is a loopback address`. */
    readonly reason: string,
    /** True when refused at a redirect hop: the request that led here did reach a server. */
    readonly maybeDelivered = false,
  ) {
    super(redactUrl(`refused to fetch ${url}: ${reason}`));
  }
}
