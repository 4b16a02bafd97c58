import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Page } from '../components/lead-types';
import { checkWords, type LinkedInAccount, type Sender, type SenderHealth, sesWords } from '../components/sender-types';
import { formatCount, formatRate, formatTimestamp, humanize } from '../format';
import { ErrorAlert, Loading, Section } from '../layout';
import { usePoll } from '../poll';

/** Health reads DNS and SES: checked once a minute, not on every 5 s poll of the list. */
const HEALTH_POLL_MS = 60_000;

async function loadAccounts(): Promise<{ senders: Sender[]; accounts: LinkedInAccount[] }> {
  const [senders, accounts] = await Promise.all([
    api.get<Page<Sender>>('/senders'),
    api.get<Page<LinkedInAccount>>('/linkedin-accounts'),
  ]);
  return { senders: senders.items, accounts: accounts.items };
}

/** Senders: each email identity's health (SPF, DKIM, DMARC, SES), rates, warm-up limit today and state. */
export default function SendersPage() {
  const loaded = usePoll(loadAccounts, []);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const [busy, setBusy] = useState<string | undefined>(undefined);

  const setState = async (path: string, label: string, state: 'ACTIVE' | 'PAUSED') => {
    setBusy(path);
    setActionError(undefined);
    try {
      await api.put(path, state === 'PAUSED' ? { state, pausedReason: 'operator (console)' } : { state });
      setAnnouncement(`${label} ${state === 'PAUSED' ? 'paused' : 'resumed'}.`);
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(undefined);
      loaded.refresh();
    }
  };

  const data = loaded.data;
  return (
    <>
      <h1>Senders</h1>
      <ErrorAlert error={actionError ?? loaded.error} />
      <p role="status" class={announcement ? 'notice' : 'muted'}>
        {announcement}
      </p>
      {loaded.loading && !data ? <Loading what="the senders" /> : null}
      {data ? (
        <>
          <Section title="Email senders" id="email-senders">
            {data.senders.length === 0 ? <p>No sender yet: campaigns send from their own address.</p> : null}
            {data.senders.map((sender) => (
              <SenderCard
                key={sender.senderId}
                sender={sender}
                busy={busy === `/senders/${encodeURIComponent(sender.senderId)}`}
                onState={(state) =>
                  void setState(`/senders/${encodeURIComponent(sender.senderId)}`, sender.email, state)
                }
              />
            ))}
          </Section>
          <Section title="LinkedIn accounts" id="linkedin-accounts">
            <LinkedInTable
              accounts={data.accounts}
              busy={busy}
              onState={(account, state) =>
                void setState(
                  `/linkedin-accounts/${encodeURIComponent(account.accountId)}`,
                  account.name ?? account.accountId,
                  state,
                )
              }
            />
          </Section>
        </>
      ) : null}
    </>
  );
}

function SenderCard(props: { sender: Sender; busy: boolean; onState: (state: 'ACTIVE' | 'PAUSED') => void }) {
  const { sender } = props;
  const health = usePoll(
    () => api.get<SenderHealth>(`/senders/${encodeURIComponent(sender.senderId)}/health`),
    [sender.senderId],
    HEALTH_POLL_MS,
  );
  const state = sender.state ?? 'ACTIVE';
  const headingId = `sender-${sender.senderId}`;
  return (
    <article aria-labelledby={headingId} class="card">
      <div class="section-head">
        <h3 id={headingId}>
          {sender.name} &lt;{sender.email}&gt; <span class={`badge ${state}`}>{humanize(state)}</span>
        </h3>
        <div class="actions">
          <button
            type="button"
            class="small secondary"
            disabled={props.busy}
            aria-describedby={headingId}
            onClick={() => props.onState(state === 'PAUSED' ? 'ACTIVE' : 'PAUSED')}
          >
            {state === 'PAUSED' ? 'Resume sender' : 'Pause sender'}
          </button>
        </div>
      </div>
      {sender.pausedReason ? (
        <p class="notice">
          Paused{sender.pausedAt ? ` since ${formatTimestamp(sender.pausedAt)}` : ''}: {sender.pausedReason}
        </p>
      ) : null}
      <ErrorAlert error={health.error} />
      {health.loading && !health.data ? <Loading what="its health" /> : null}
      {health.data ? <HealthTable health={health.data} /> : null}
    </article>
  );
}

function HealthTable(props: { health: SenderHealth }) {
  const { health } = props;
  const rows: [string, string][] = [
    ['Overall', `${health.overall}${health.problems.length > 0 ? ` — ${health.problems.join('; ')}` : ''}`],
    ['SPF', checkWords(health.spf)],
    ['DKIM', checkWords(health.dkim)],
    ['DMARC', `${checkWords(health.dmarc)}${health.dmarcPolicy ? ` (policy ${health.dmarcPolicy})` : ''}`],
    ['Aligned', health.aligned === null ? 'unknown' : health.aligned ? 'yes' : 'no'],
    ['SES identity', sesWords(health)],
    ['Sent, 7 days', formatCount(health.sent7d)],
    ['Bounce rate, 7 days', formatRate(health.bounceRate7d, 2)],
    ['Complaint rate, 7 days', formatRate(health.complaintRate7d, 3)],
    ['Warm-up limit today', `${formatCount(health.warmupLimitToday)} of ${formatCount(health.dailyLimit)} a day`],
    ['First sending day', health.firstSendDay ?? 'not yet'],
  ];
  return (
    <table>
      <caption>
        Health of {health.email}, checked {formatTimestamp(health.checkedAt)}
      </caption>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LinkedInTable(props: {
  accounts: LinkedInAccount[];
  busy: string | undefined;
  onState: (account: LinkedInAccount, state: 'ACTIVE' | 'PAUSED') => void;
}) {
  if (props.accounts.length === 0) return <p>No LinkedIn account yet.</p>;
  return (
    <table>
      <caption>LinkedIn accounts and their caps</caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">State</th>
          <th scope="col" class="num">
            Invites a day
          </th>
          <th scope="col" class="num">
            Invites a week
          </th>
          <th scope="col" class="num">
            Messages a day
          </th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.accounts.map((account) => {
          const state = account.state ?? 'ACTIVE';
          const label = account.name ?? account.accountId;
          return (
            <tr key={account.accountId}>
              <th scope="row" id={`account-${account.accountId}`}>
                {label}
              </th>
              <td>
                <span class={`badge ${state}`}>{humanize(state)}</span>
                {account.pausedReason ? <div class="muted">{account.pausedReason}</div> : null}
              </td>
              <td class="num">{formatCount(account.dailyInvites)}</td>
              <td class="num">{formatCount(account.weeklyInvites)}</td>
              <td class="num">{formatCount(account.dailyMessages)}</td>
              <td>
                <button
                  type="button"
                  class="small secondary"
                  disabled={props.busy === `/linkedin-accounts/${encodeURIComponent(account.accountId)}`}
                  aria-describedby={`account-${account.accountId}`}
                  onClick={() => props.onState(account, state === 'PAUSED' ? 'ACTIVE' : 'PAUSED')}
                >
                  {state === 'PAUSED' ? 'Resume account' : 'Pause account'}
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
