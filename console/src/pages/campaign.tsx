import { api } from '../api';
import type { CampaignStats } from '../components/campaign-data';
import { CampaignLeads } from '../components/campaign-leads';
import { CampaignSteps } from '../components/campaign-steps';
import { Funnel } from '../components/funnel';
import { SchedulePreviewSection } from '../components/schedule-preview';
import { SendsPerDay } from '../components/sends-per-day';
import { formatTimestamp, humanize } from '../format';
import { ErrorAlert, Loading, Section } from '../layout';
import { usePoll } from '../poll';
import { href } from '../router';

const DAYS = 14;

/** The campaign fields this page draws (`GET /v1/campaigns/{id}`). */
interface CampaignRecord {
  campaignId: string;
  name: string;
  state: string;
  createdAt: string;
  minGrade?: string;
  sender?: { name: string; email: string };
  sequence?: { version: number; steps: unknown[] };
}

/** One campaign: funnel, sends per day, steps and variants, leads, schedule preview, all live. */
export default function CampaignPage(props: { id: string }) {
  const campaignPath = `/campaigns/${encodeURIComponent(props.id)}`;
  const campaign = usePoll(() => api.get<CampaignRecord>(campaignPath), [campaignPath]);
  const stats = usePoll(() => api.get<CampaignStats>(`${campaignPath}/stats?days=${DAYS}`), [campaignPath]);
  const record = campaign.data;

  if (!record)
    return (
      <>
        <h1>{campaign.error ? 'Campaign not available' : 'Campaign'}</h1>
        <ErrorAlert error={campaign.error} />
        {campaign.error ? <a href={href.campaigns()}>Back to the campaigns</a> : <Loading what="the campaign" />}
      </>
    );
  return (
    <>
      <p class="muted">
        <a href={href.campaigns()}>Campaigns</a> / {record.campaignId}
      </p>
      <h1>{record.name}</h1>
      <p>
        <span class={`badge ${record.state}`}>{humanize(record.state)}</span>{' '}
        <span class="muted">
          Created {formatTimestamp(record.createdAt)}
          {record.sender ? ` · from ${record.sender.name} <${record.sender.email}>` : ''}
          {record.sequence ? ` · sequence v${record.sequence.version}, ${record.sequence.steps.length} steps` : ''}
          {record.minGrade ? ` · grade ${record.minGrade} and up` : ''}
        </span>
      </p>
      <ErrorAlert error={stats.error} />
      <div class="grid">
        <Section title="Funnel">
          {stats.data ? <Funnel funnel={stats.data.funnel} label="Funnel counts" /> : <Loading what="the funnel" />}
        </Section>
        {stats.data ? (
          <SendsPerDay daily={stats.data.daily} />
        ) : (
          <Section title="Sends per day">
            <Loading />
          </Section>
        )}
      </div>
      <CampaignSteps campaignId={record.campaignId} days={DAYS} />
      <CampaignLeads campaignId={record.campaignId} />
      <SchedulePreviewSection campaignId={record.campaignId} />
    </>
  );
}
