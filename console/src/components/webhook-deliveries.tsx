import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { formatTimestamp } from '../format';
import { ErrorAlert, Loading } from '../layout';
import { usePoll } from '../poll';

export interface Webhook {
  webhookId: string;
  url: string;
  events: string[];
  description?: string;
  state: string;
  createdAt: string;
}

export interface WebhookDelivery {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'PENDING' | 'ATTEMPTING' | 'RETRYING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  createdAt: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  deadAt?: string;
  lastStatusCode?: number;
  lastError?: string;
}

/** A delivery that failed: dead (gave up) or retrying after a failed attempt — what "Retry" is for. */
export function isFailed(delivery: Pick<WebhookDelivery, 'status'>): boolean {
  return delivery.status === 'DEAD' || delivery.status === 'RETRYING';
}

function lastAnswer(delivery: WebhookDelivery): string {
  const code = delivery.lastStatusCode !== undefined ? `HTTP ${delivery.lastStatusCode}` : '';
  return [code, delivery.lastError].filter(Boolean).join(': ') || '–';
}

/** One webhook's newest deliveries, live, with "Retry" on each failed one. */
export function WebhookDeliveries(props: { webhook: Webhook; onRetried: (message: string) => void }) {
  const { webhook } = props;
  const [status, setStatus] = useState('');
  const deliveries = usePoll(
    () =>
      api.get<{ items: WebhookDelivery[] }>(
        `/webhooks/${encodeURIComponent(webhook.webhookId)}/deliveries${query({ limit: 50, status })}`,
      ),
    [webhook.webhookId, status],
  );
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [retryError, setRetryError] = useState<unknown>(undefined);
  const retry = async (delivery: WebhookDelivery) => {
    setBusy(delivery.deliveryId);
    setRetryError(undefined);
    try {
      const path = `/webhooks/${encodeURIComponent(webhook.webhookId)}/deliveries/${encodeURIComponent(delivery.deliveryId)}/retry`;
      await api.post(path);
      props.onRetried(`Delivery of ${delivery.eventType} to ${webhook.url} is tried again.`);
    } catch (error) {
      setRetryError(error);
    } finally {
      setBusy(undefined);
      deliveries.refresh();
    }
  };
  const items = deliveries.data?.items ?? [];
  const selectId = `deliveries-status-${webhook.webhookId}`;
  return (
    <div>
      <p>
        <label for={selectId}>Status</label>{' '}
        <select id={selectId} value={status} onChange={(event) => setStatus((event.target as HTMLSelectElement).value)}>
          <option value="">All</option>
          {['PENDING', 'ATTEMPTING', 'RETRYING', 'DELIVERED', 'DEAD'].map((value) => (
            <option key={value} value={value}>
              {value.charAt(0) + value.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </p>
      <ErrorAlert error={retryError ?? deliveries.error} />
      {deliveries.loading && !deliveries.data ? <Loading what="its deliveries" /> : null}
      {deliveries.data && items.length === 0 ? <p class="muted">No delivery yet.</p> : null}
      {items.length > 0 ? (
        <table>
          <caption>Deliveries to {webhook.url}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col">Last answer</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((delivery) => (
              <tr key={delivery.deliveryId}>
                <td>{formatTimestamp(delivery.createdAt)}</td>
                <td id={`delivery-${delivery.deliveryId}`}>{delivery.eventType}</td>
                <td>
                  <span class={`badge ${delivery.status}`}>{delivery.status.toLowerCase()}</span>
                </td>
                <td class="num">{delivery.attempts}</td>
                <td>{lastAnswer(delivery)}</td>
                <td>{delivery.nextAttemptAt ? formatTimestamp(delivery.nextAttemptAt) : '–'}</td>
                <td>
                  {isFailed(delivery) ? (
                    <button
                      type="button"
                      class="small"
                      disabled={busy === delivery.deliveryId}
                      aria-describedby={`delivery-${delivery.deliveryId}`}
                      onClick={() => void retry(delivery)}
                    >
                      Retry
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
