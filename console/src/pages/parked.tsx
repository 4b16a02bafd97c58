import { useState } from 'preact/hooks';
import { api, query } from '../api';
import type { Lead, Page } from '../components/lead-types';
import { leadName } from '../components/lead-types';
import { formatTimestamp } from '../format';
import { ErrorAlert, Loading } from '../layout';
import { usePoll } from '../poll';
import { href } from '../router';

/**
 * A parked lead (shared/outreach/release.ts): PAUSED with stopReason `ambiguous_send` — a send was interrupted
 * and no evidence says whether the provider took it. Only an operator's `POST /v1/leads/{id}/release` settles it.
 */
export const PARKED_STATUS = 'PAUSED';
export const PARKED_REASON = 'ambiguous_send';

interface ParkedLead {
  lead: Lead;
  campaignName: string;
}

interface CampaignSummary {
  campaignId: string;
  name: string;
}

/** A campaign's PAUSED leads, every page (100 a page, the API's most). */
async function pausedLeads(campaignId: string): Promise<Lead[]> {
  const leads: Lead[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<Lead>>(
      `/campaigns/${encodeURIComponent(campaignId)}/leads${query({ status: PARKED_STATUS, limit: 100, cursor })}`,
    );
    leads.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return leads;
}

async function loadParked(): Promise<ParkedLead[]> {
  const campaigns = await api.get<Page<CampaignSummary>>('/campaigns');
  const perCampaign = await Promise.all(
    campaigns.items.map(async (campaign) =>
      (await pausedLeads(campaign.campaignId))
        .filter((lead) => lead.stopReason === PARKED_REASON)
        .map((lead) => ({ lead, campaignName: campaign.name })),
    ),
  );
  return perCampaign.flat().sort((a, b) => (a.lead.updatedAt < b.lead.updatedAt ? -1 : 1));
}

/** The parked leads page: each lead parked on an ambiguous send, with "Release as sent" / "Release as not sent". */
export default function ParkedPage() {
  const parked = usePoll(loadParked, []);
  const [busyLead, setBusyLead] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [announcement, setAnnouncement] = useState('');

  const release = async (lead: Lead, decision: 'sent' | 'not_sent') => {
    setBusyLead(lead.leadId);
    setActionError(undefined);
    try {
      const released = await api.post<{ status: string }>(`/leads/${encodeURIComponent(lead.leadId)}/release`, {
        decision,
        campaignId: lead.campaignId,
      });
      const words = decision === 'sent' ? 'as sent' : 'as not sent';
      setAnnouncement(`${leadName(lead)} released ${words}: now ${released.status}.`);
    } catch (error) {
      setActionError(error);
    } finally {
      setBusyLead(undefined);
      parked.refresh();
    }
  };

  const items = parked.data ?? [];
  return (
    <>
      <h1>Parked leads</h1>
      <p class="muted">
        A send was interrupted (for example a crash during the provider call) and nothing shows whether the message went
        out, so Cascade will not risk sending it twice. Check the provider (the mailbox's sent folder, the LinkedIn
        conversation), then release the lead: <strong>as sent</strong> records the message and ends the lead's sequence
        as contacted; <strong>as not sent</strong> tries the step again.
      </p>
      <ErrorAlert error={actionError ?? parked.error} />
      <p role="status" class={announcement ? 'notice' : 'muted'}>
        {announcement}
      </p>
      {parked.loading && !parked.data ? <Loading what="the parked leads" /> : null}
      {parked.data && items.length === 0 ? <p>No parked lead: nothing waits for a release.</p> : null}
      {items.length > 0 ? (
        <table>
          <caption>Leads parked on an ambiguous send</caption>
          <thead>
            <tr>
              <th scope="col">Lead</th>
              <th scope="col">Campaign</th>
              <th scope="col">Step</th>
              <th scope="col">Parked since</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map(({ lead, campaignName }) => (
              <tr key={lead.leadId}>
                <td>
                  <a id={`parked-${lead.leadId}`} href={href.lead(lead.leadId)}>
                    {leadName(lead)}
                  </a>
                  {lead.email ? <div class="muted">{lead.email}</div> : null}
                </td>
                <td>
                  <a href={href.campaign(lead.campaignId)}>{campaignName}</a>
                </td>
                <td>{lead.resumeFrom ? `step ${lead.resumeFrom.stepIndex + 1}` : '–'}</td>
                <td>{formatTimestamp(lead.updatedAt)}</td>
                <td>
                  <div class="actions">
                    <button
                      type="button"
                      class="small"
                      disabled={busyLead === lead.leadId}
                      aria-describedby={`parked-${lead.leadId}`}
                      onClick={() => void release(lead, 'sent')}
                    >
                      Release as sent
                    </button>
                    <button
                      type="button"
                      class="small secondary"
                      disabled={busyLead === lead.leadId}
                      aria-describedby={`parked-${lead.leadId}`}
                      onClick={() => void release(lead, 'not_sent')}
                    >
                      Release as not sent
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
