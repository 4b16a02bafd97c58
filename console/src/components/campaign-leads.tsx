import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { formatRelative, humanize, leadName } from '../format';
import { ErrorAlert, Section } from '../layout';
import { usePoll } from '../poll';
import { href } from '../router';
import { LEAD_STATUSES, type LeadRow, leadAction, pageCursors } from './campaign-rows';
import { DataTable } from './table';

const PAGE_SIZE = 50;

/** A campaign's leads: filter by status, page through, pause or resume one, export them all as CSV. */
export function CampaignLeads(props: { campaignId: string }) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const cursor = cursors[cursors.length - 1];
  const path = `/campaigns/${encodeURIComponent(props.campaignId)}/leads${query({ status, cursor, limit: PAGE_SIZE })}`;
  const leads = usePoll(() => api.get<{ items: LeadRow[]; nextCursor?: string }>(path), [path]);

  const act = async (lead: LeadRow, action: 'pause' | 'resume') => {
    setBusy(lead.leadId);
    setActionError(undefined);
    try {
      await api.post(`/leads/${encodeURIComponent(lead.leadId)}/${action}`);
      leads.refresh();
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(undefined);
    }
  };
  const exportCsv = async () => {
    setActionError(undefined);
    try {
      download(
        `${props.campaignId}-leads.csv`,
        await api.text(`/campaigns/${encodeURIComponent(props.campaignId)}/leads.csv`),
      );
    } catch (error) {
      setActionError(error);
    }
  };

  return (
    <Section
      title="Leads"
      actions={
        <button type="button" class="secondary" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      }
    >
      <ErrorAlert error={actionError ?? leads.error} />
      <div class="toolbar">
        <label for="lead-status">Status</label>
        <select
          id="lead-status"
          value={status}
          onChange={(event) => {
            setStatus((event.target as HTMLSelectElement).value);
            setCursors([undefined]);
          }}
        >
          <option value="">All statuses</option>
          {LEAD_STATUSES.map((each) => (
            <option key={each} value={each}>
              {humanize(each)}
            </option>
          ))}
        </select>
      </div>
      <DataTable
        caption="Leads"
        rows={leads.data?.items ?? []}
        rowKey={(lead) => lead.leadId}
        empty={leads.data ? 'No lead in this status.' : 'Loading…'}
        columns={[
          { header: 'Lead', cell: (lead) => <a href={href.lead(lead.leadId)}>{leadName(lead)}</a> },
          { header: 'Company', cell: (lead) => lead.company ?? '–' },
          { header: 'Email', cell: (lead) => lead.email ?? '–' },
          { header: 'Grade', cell: (lead) => lead.grade ?? '–' },
          { header: 'Status', cell: (lead) => <span class={`badge ${lead.status}`}>{humanize(lead.status)}</span> },
          { header: 'Stop reason', cell: (lead) => humanize(lead.stopReason) },
          { header: 'Updated', cell: (lead) => formatRelative(lead.updatedAt) },
          { header: 'Action', cell: (lead) => <LeadAction lead={lead} busy={busy === lead.leadId} onAct={act} /> },
        ]}
      />
      <div class="pager">
        <button
          type="button"
          class="secondary small"
          disabled={cursors.length <= 1}
          onClick={() => setCursors(pageCursors(cursors, 'previous'))}
        >
          Previous page
        </button>
        <span class="muted">Page {cursors.length}</span>
        <button
          type="button"
          class="secondary small"
          disabled={!leads.data?.nextCursor}
          onClick={() => setCursors(pageCursors(cursors, 'next', leads.data?.nextCursor))}
        >
          Next page
        </button>
      </div>
    </Section>
  );
}

function LeadAction(props: {
  lead: LeadRow;
  busy: boolean;
  onAct: (lead: LeadRow, action: 'pause' | 'resume') => void;
}) {
  const action = leadAction(props.lead);
  if (action === 'release') return <a href={href.lead(props.lead.leadId)}>Why parked?</a>;
  if (!action) return null;
  return (
    <button type="button" class="small" disabled={props.busy} onClick={() => props.onAct(props.lead, action)}>
      {action === 'pause' ? 'Pause' : 'Resume'}
    </button>
  );
}

/** Saves text as a file: the CSV needs the bearer token, so a plain link to the API would not do. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
