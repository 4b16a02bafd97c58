import { nowIso } from '../time/clock';
import { markTryQueued, readDelivery, reopenDelivery } from './delivery-store';
import { DeliveryNotFoundError, WebhookNotFoundError } from './errors';
import { queueRetry } from './retry-queue';
import type { Delivery } from './schema';
import { getWebhook, toDelivery } from './store';

/**
 * An operator's replay (`POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry`): a dead, retrying or delivered
 * delivery is tried again at once, with a new 24 h window. A delivery whose try is under way is answered as it is.
 */
export async function retryDelivery(webhookId: string, deliveryId: string): Promise<Delivery> {
  if (!(await getWebhook(webhookId))) throw new WebhookNotFoundError(`webhook ${webhookId} does not exist`);
  const reopened = await reopenDelivery(webhookId, deliveryId, nowIso());
  if (!reopened) {
    const current = await readDelivery(webhookId, deliveryId);
    if (!current) throw new DeliveryNotFoundError(`delivery ${deliveryId} of webhook ${webhookId} does not exist`);
    return toDelivery(current as unknown as Record<string, unknown>);
  }
  const attempt = reopened.attempts + 1;
  await queueRetry({ webhookId, deliveryId, attempt }, 0);
  await markTryQueued(webhookId, deliveryId, attempt);
  return toDelivery(reopened as unknown as Record<string, unknown>);
}
