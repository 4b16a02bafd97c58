import { useState } from 'preact/hooks';
import { api } from '../api';
import { type Webhook, WebhookDeliveries } from '../components/webhook-deliveries';
import { formatTimestamp } from '../format';
import { ErrorAlert, Loading, Section } from '../layout';
import { usePoll } from '../poll';

/** Webhooks: each subscribed URL with its events and its deliveries (status, attempts, last answer, Retry). */
export default function WebhooksPage() {
  const webhooks = usePoll(() => api.get<{ items: Webhook[] }>('/webhooks'), []);
  const [announcement, setAnnouncement] = useState('');
  const items = webhooks.data?.items ?? [];
  return (
    <>
      <h1>Webhooks</h1>
      <ErrorAlert error={webhooks.error} />
      <p role="status" class={announcement ? 'notice' : 'muted'}>
        {announcement}
      </p>
      {webhooks.loading && !webhooks.data ? <Loading what="the webhooks" /> : null}
      {webhooks.data && items.length === 0 ? (
        <p>No webhook yet: add one with cascade webhooks add (POST /v1/webhooks).</p>
      ) : null}
      {items.map((webhook) => (
        <Section key={webhook.webhookId} title={webhook.url} id={`webhook-${webhook.webhookId}`}>
          <p class="muted">
            {webhook.description ? `${webhook.description} · ` : ''}
            Events: {webhook.events.join(', ')} · since {formatTimestamp(webhook.createdAt)}
          </p>
          <WebhookDeliveries webhook={webhook} onRetried={setAnnouncement} />
        </Section>
      ))}
    </>
  );
}
