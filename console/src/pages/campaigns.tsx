import { api } from '../api';
import type { CampaignSummary } from '../components/campaign-data';
import { DataTable } from '../components/table';
import { formatCount, formatRate, formatTimestamp, humanize, ratio } from '../format';
import { ErrorAlert, Loading } from '../layout';
import { usePoll } from '../poll';
import { href } from '../router';

/** Every campaign with its state and funnel, newest first; each name opens the campaign. */
export default function CampaignsPage() {
  const campaigns = usePoll(() => api.get<{ items: CampaignSummary[] }>('/campaigns'), []);
  const rows = [...(campaigns.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <h1>Campaigns</h1>
      <ErrorAlert error={campaigns.error} />
      {campaigns.loading && !campaigns.data ? (
        <Loading what="campaigns" />
      ) : (
        <div class="card">
          <DataTable
            caption="Campaigns"
            rows={rows}
            rowKey={(row) => row.campaignId}
            empty="No campaign yet: create one with `cascade campaigns create` or POST /v1/campaigns."
            columns={[
              { header: 'Name', cell: (row) => <a href={href.campaign(row.campaignId)}>{row.name}</a> },
              { header: 'State', cell: (row) => <span class={`badge ${row.state}`}>{humanize(row.state)}</span> },
              { header: 'Enrolled', numeric: true, cell: (row) => formatCount(row.funnel.enrolled) },
              { header: 'Contacted', numeric: true, cell: (row) => formatCount(row.funnel.contacted) },
              { header: 'Replied', numeric: true, cell: (row) => formatCount(row.funnel.replied) },
              { header: 'Bounced', numeric: true, cell: (row) => formatCount(row.funnel.bounced) },
              { header: 'Exhausted', numeric: true, cell: (row) => formatCount(row.funnel.exhausted) },
              {
                header: 'Reply rate',
                numeric: true,
                cell: (row) => formatRate(ratio(row.funnel.replied, row.funnel.contacted)),
              },
              { header: 'Not enrolled', numeric: true, cell: (row) => formatCount(row.funnel.new) },
              { header: 'Created', cell: (row) => formatTimestamp(row.createdAt) },
            ]}
          />
        </div>
      )}
    </>
  );
}
