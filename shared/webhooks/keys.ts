/**
 * Where webhooks and their deliveries live in the Config table: every webhook under one partition (listing them,
 * and the fan-out of an event, is one query); each webhook's deliveries under their own, sorted by time.
 */
export const WEBHOOKS_PK = 'WEBHOOKS';

export const webhookKey = (webhookId: string) => ({ pk: WEBHOOKS_PK, sk: `WEBHOOK#${webhookId}` });

export const deliveriesPk = (webhookId: string) => `WEBHOOK#${webhookId}#DELIVERIES`;

export const deliveryKey = (webhookId: string, deliveryId: string) => ({
  pk: deliveriesPk(webhookId),
  sk: `DELIVERY#${deliveryId}`,
});
