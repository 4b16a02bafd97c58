import { CodedError } from '../errors';

export class WebhookNotFoundError extends CodedError('WebhookNotFoundError', 'webhook_not_found', 'not_found') {}

export class DeliveryNotFoundError extends CodedError('DeliveryNotFoundError', 'delivery_not_found', 'not_found') {}

/** A deliveries cursor this listing did not issue (or issued for another webhook). */
export class InvalidCursorError extends CodedError('InvalidCursorError', 'invalid_cursor', 'invalid') {}
