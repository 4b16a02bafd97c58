import { api, query } from '../api';
import { channelLabel, formatCount, formatRate } from '../format';
import { ErrorAlert, Section } from '../layout';
import { usePoll } from '../poll';
import { type ChannelReport, stepRows, type VariantReport } from './campaign-rows';
import { DataTable } from './table';

/** Per step and variant, then per channel: how the campaign's content performs (the last 14 days). */
export function CampaignSteps(props: { campaignId: string; days: number }) {
  const params = query({ campaignId: props.campaignId, days: props.days });
  const variants = usePoll(() => api.get<VariantReport>(`/metrics/variants${params}`), [params]);
  const channels = usePoll(() => api.get<ChannelReport>(`/metrics/channels${params}`), [params]);
  const channelRows = Object.entries(channels.data?.channels ?? {}).map(([channel, row]) => ({ channel, ...row }));
  return (
    <Section title="Steps">
      <ErrorAlert error={variants.error ?? channels.error} />
      <DataTable
        caption={`Per step and variant, last ${props.days} days`}
        rows={variants.data ? stepRows(variants.data) : []}
        rowKey={(row) => `${row.stepId}/${row.variantId}`}
        empty={variants.data ? 'No steps.' : 'Loading…'}
        columns={[
          { header: 'Step', cell: (row) => (row.first ? row.stepId : <span class="muted">{row.stepId}</span>) },
          { header: 'Channel', cell: (row) => channelLabel(row.channel) },
          { header: 'Variant', cell: (row) => row.variantId },
          { header: 'Weight', numeric: true, cell: (row) => (row.weight === null ? '–' : String(row.weight)) },
          { header: 'Sent', numeric: true, cell: (row) => formatCount(row.sent) },
          { header: 'Delivered', numeric: true, cell: (row) => formatCount(row.delivered) },
          { header: 'Replied', numeric: true, cell: (row) => formatCount(row.replied) },
          { header: 'Reply rate', numeric: true, cell: (row) => formatRate(row.replyRate) },
          { header: 'Bounced', numeric: true, cell: (row) => formatCount(row.bounced) },
          { header: 'Chance best', numeric: true, cell: (row) => formatRate(row.probabilityBest, 0) },
        ]}
      />
      <h3>Per channel</h3>
      <DataTable
        caption={`Per channel, last ${props.days} days`}
        rows={channelRows}
        rowKey={(row) => row.channel}
        empty={channels.data ? 'No channel.' : 'Loading…'}
        columns={[
          { header: 'Channel', cell: (row) => channelLabel(row.channel) },
          { header: 'Sent', numeric: true, cell: (row) => formatCount(row.sent) },
          { header: 'Delivered', numeric: true, cell: (row) => formatCount(row.delivered) },
          { header: 'Replied', numeric: true, cell: (row) => formatCount(row.replied) },
          { header: 'Reply rate', numeric: true, cell: (row) => formatRate(row.replyRate) },
          { header: 'Bounced', numeric: true, cell: (row) => formatCount(row.bounced) },
          { header: 'Failed', numeric: true, cell: (row) => formatCount(row.failed) },
          { header: 'Fell back', numeric: true, cell: (row) => formatRate(row.fallbackRate) },
        ]}
      />
    </Section>
  );
}
