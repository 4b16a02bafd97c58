import { formatCount } from '../format';
import { Section } from '../layout';
import { CHART_CHANNELS, type DailySends, fillDays, totalSends } from './campaign-data';
import { SendsChart } from './chart';
import { DataTable } from './table';

/** The chart for the eye and, beside it, the same numbers as a table with a "Total" row for everyone. */
export function SendsPerDay(props: { daily: readonly DailySends[] }) {
  const daily = fillDays(props.daily);
  const total = totalSends(daily);
  return (
    <Section title="Sends per day">
      <p class="muted legend-note">
        Messages the providers accepted per UTC day and channel: {formatCount(total.all)} in {daily.length} days.
      </p>
      <SendsChart daily={daily} label={`Sends per day per channel, chart: ${describeTotals(total)}`} />
      <DataTable
        caption="Sends per day per channel"
        rows={[...daily].reverse()}
        rowKey={(row) => row.day}
        empty="No sends in these days."
        columns={[
          { header: 'Day', cell: (row) => row.day },
          ...CHART_CHANNELS.map((channel) => ({
            header: channel,
            numeric: true,
            cell: (row: DailySends) => formatCount(row[channel]),
          })),
          { header: 'All channels', numeric: true, cell: (row) => formatCount(sumOf(row)) },
        ]}
        footer={
          <tr class="total">
            <th scope="row">Total</th>
            {CHART_CHANNELS.map((channel) => (
              <td key={channel} class="num">
                {formatCount(total[channel])}
              </td>
            ))}
            <td class="num">{formatCount(total.all)}</td>
          </tr>
        }
      />
    </Section>
  );
}

function sumOf(row: DailySends): number {
  return CHART_CHANNELS.reduce((sum, channel) => sum + row[channel], 0);
}

function describeTotals(total: Record<string, number>): string {
  return CHART_CHANNELS.map((channel) => `${channel} ${total[channel] ?? 0}`).join(', ');
}
