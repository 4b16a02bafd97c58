/**
 * The operator API Lambda (API Gateway HTTP API, payload format 2.0): every `/v1` route in one
 * handler. The event fields it reads are listed in shared/api/router.ts.
 */
export { handler } from '../../shared/api/router';
