import { api } from '../api';
import { channelLabel, formatCount, humanize } from '../format';
import { ErrorAlert, Section } from '../layout';
import { usePoll } from '../poll';
import { type PreviewTable, previewTable, type SchedulePreview } from './campaign-rows';
import { DataTable } from './table';

/** What the next 14 days would send: a simulation, so it reloads every 30 s rather than every 5. */
export function SchedulePreviewSection(props: { campaignId: string }) {
  const preview = usePoll(
    () => api.get<SchedulePreview>(`/campaigns/${encodeURIComponent(props.campaignId)}/schedule-preview?days=14`),
    [props.campaignId],
    30_000,
  );
  const data = preview.data;
  const table = data ? previewTable(data) : { columns: [], rows: [] };
  return (
    <Section title="Schedule preview">
      <ErrorAlert error={preview.error} />
      {data ? (
        <p class="muted">
          {formatCount(data.waiting)} leads waiting, {formatCount(data.inFlight)} in flight,{' '}
          {formatCount(data.unreachable)} unreachable, {formatCount(data.atMaxTouches)} at their touch limit,{' '}
          {formatCount(data.unscheduled)} not scheduled within 14 days.
        </p>
      ) : null}
      <DataTable
        caption="First touches per day, next 14 days"
        rows={table.rows}
        rowKey={(row) => row.date}
        empty={data ? 'Nothing to schedule.' : 'Loading…'}
        columns={[
          { header: 'Day', cell: (row) => row.date },
          ...table.columns.map((column) => ({
            header: column.label,
            numeric: true,
            cell: (row: PreviewTable['rows'][number]) => formatCount(row.scheduled[column.key] ?? 0),
          })),
          { header: 'Held back', numeric: true, cell: (row) => formatCount(row.heldBack) },
          { header: 'Mostly by', cell: (row) => (row.topReason ? humanize(row.topReason) : '–') },
        ]}
      />
      {data && data.senders.length > 0 ? (
        <DataTable
          caption="Sending identities today"
          rows={data.senders}
          rowKey={(sender) => `${sender.channel}|${sender.id}`}
          columns={[
            { header: 'Identity', cell: (sender) => sender.id },
            { header: 'Channel', cell: (sender) => channelLabel(sender.channel) },
            {
              header: 'State',
              cell: (sender) => `${humanize(sender.state)}${sender.pausedReason ? ` (${sender.pausedReason})` : ''}`,
            },
            { header: 'Used today', numeric: true, cell: (sender) => formatCount(sender.usedToday) },
            { header: 'Limit today', numeric: true, cell: (sender) => formatCount(sender.limitToday) },
          ]}
        />
      ) : null}
    </Section>
  );
}
