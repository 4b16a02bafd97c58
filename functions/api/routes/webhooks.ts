import { HttpProblem } from '#shared/errors';
import { InvalidCursorError } from '#shared/webhooks/errors';
import { retryDelivery } from '#shared/webhooks/replay';
import type { PublicWebhook } from '#shared/webhooks/schema';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks } from '#shared/webhooks/store';
import { webhookUrlRefusal } from '#shared/webhooks/url-policy';
import { notFound, validationError } from '../errors';
import { defineRoute } from '../route';
import {
  CreateWebhookRequest,
  CreateWebhookResponse,
  DeliveriesQuery,
  DeliveryListResponse,
  DeliveryParams,
  DeliveryResponse,
  WebhookListResponse,
  WebhookParams,
} from '../schemas/webhooks';

/**
 * Webhooks (PRODUCT.md §7, §11): where Cascade's events are delivered, the delivery log, and the replay of a
 * delivery. The secret leaves the API once, in the answer to the POST that created it.
 */

const TAG = 'Webhooks';

async function requireWebhook(webhookId: string): Promise<PublicWebhook> {
  const webhook = await getWebhook(webhookId);
  if (!webhook) throw notFound(`webhook ${webhookId}`);
  return webhook;
}

/** The outbound guard's refusal of a URL as a 400 naming the field and the rule (`private_network`, …). */
function refuseUrl(url: string): void {
  const refusal = webhookUrlRefusal(url);
  if (!refusal) return;
  throw new HttpProblem(400, 'invalid_webhook_url', refusal.message, {
    details: [{ field: 'url', rule: refusal.rule, message: refusal.message }],
  });
}

/** A public view whatever the store hands back: the secret is never part of an answer but the creation's. */
function publicView(webhook: PublicWebhook & { secret?: string }): PublicWebhook {
  const { secret: _secret, ...view } = webhook;
  return view;
}

export const webhookRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/webhooks',
    operationId: 'createWebhook',
    tag: TAG,
    summary: 'Deliver events to a URL; answers the signing secret, once',
    description:
      'Events are POSTed per Standard Webhooks (`webhook-id` = the event id, `webhook-timestamp`, `webhook-signature`), at least once, retried with exponential backoff for 24 h, then dead-lettered. A URL the outbound guard refuses is a 400 `invalid_webhook_url` whose detail names the rule (`https_required`, `private_network`, `credentials_in_url`, `invalid_url`).',
    body: CreateWebhookRequest,
    responses: { 201: { description: 'The webhook and its secret (not shown again)', schema: CreateWebhookResponse } },
    async handle({ body }) {
      refuseUrl(body.url);
      const { secret, ...webhook } = await createWebhook(body);
      return {
        status: 201,
        body: { webhook, secret },
        headers: { location: `/v1/webhooks/${webhook.webhookId}` },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/webhooks',
    operationId: 'listWebhooks',
    tag: TAG,
    summary: 'List the webhooks, oldest first, without their secrets',
    responses: { 200: { description: 'Every webhook', schema: WebhookListResponse } },
    async handle() {
      return { status: 200, body: { items: (await listWebhooks()).map(publicView) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/webhooks/{id}',
    operationId: 'deleteWebhook',
    tag: TAG,
    summary: 'Stop delivering to a webhook and delete it',
    description: 'No further tries are made to it; its delivery log is kept.',
    params: WebhookParams,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params }) {
      if (!(await deleteWebhook(params.id))) throw notFound(`webhook ${params.id}`);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/webhooks/{id}/deliveries',
    operationId: 'listWebhookDeliveries',
    tag: TAG,
    summary: "A webhook's deliveries, newest first: status, attempts, last response code",
    params: WebhookParams,
    query: DeliveriesQuery,
    responses: { 200: { description: 'A page of deliveries', schema: DeliveryListResponse } },
    async handle({ params, query }) {
      await requireWebhook(params.id);
      const page = await listDeliveries(params.id, {
        limit: query.limit,
        ...(query.status && { status: query.status }),
        ...(query.cursor && { cursor: query.cursor }),
      }).catch((error: unknown) => {
        if (error instanceof InvalidCursorError)
          throw validationError([{ field: 'cursor', message: 'is not a cursor this listing returned' }]);
        throw error;
      });
      return { status: 200, body: page.cursor ? page : { items: page.items } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/webhooks/{id}/deliveries/{deliveryId}/retry',
    operationId: 'retryWebhookDelivery',
    tag: TAG,
    summary: 'Try a delivery again now (a dead one too), with a new 24 h window',
    params: DeliveryParams,
    responses: { 202: { description: 'The delivery, queued for an immediate try', schema: DeliveryResponse } },
    async handle({ params }) {
      await requireWebhook(params.id);
      return { status: 202, body: await retryDelivery(params.id, params.deliveryId) };
    },
  }),
];
