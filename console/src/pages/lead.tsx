import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { ExecutionPathView } from '../components/execution-path';
import { executionNames, lastAttempts, timelineItems } from '../components/lead-timeline';
import type { DomainEvent, ExecutionAudit, HistoryEntry, Lead, ManualTask, Page } from '../components/lead-types';
import { leadName } from '../components/lead-types';
import { Timeline } from '../components/timeline';
import { WhyPanel } from '../components/why';
import { explainLead, reasonWords, type WhyAction } from '../explain';
import { formatTimestamp, humanize } from '../format';
import { ErrorAlert, Loading, Section } from '../layout';
import { usePoll } from '../poll';
import { href } from '../router';

interface LeadData {
  lead: Lead;
  history: HistoryEntry[];
  events: DomainEvent[];
  openTasks: ManualTask[];
  campaign?: { campaignId: string; name: string; state?: string };
}

/** The campaign's open tasks of this lead (the task list filters by campaign, not by lead). */
async function openTasksOf(lead: Lead): Promise<ManualTask[]> {
  const tasks: ManualTask[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const found = await api.get<Page<ManualTask>>(
      `/tasks${query({ status: 'OPEN', campaignId: lead.campaignId, limit: 200, cursor })}`,
    );
    tasks.push(...found.items.filter((task) => task.leadId === lead.leadId));
    cursor = found.nextCursor;
    if (!cursor) break;
  }
  return tasks;
}

async function loadLead(id: string): Promise<LeadData> {
  const lead = await api.get<Lead>(`/leads/${encodeURIComponent(id)}`);
  const [history, events, openTasks, campaign] = await Promise.all([
    api.get<Page<HistoryEntry>>(`/leads/${encodeURIComponent(id)}/history?limit=200`),
    // The events route is newer than the others: a lead page still works without it.
    api.get<Page<DomainEvent>>(`/leads/${encodeURIComponent(id)}/events`).catch(() => ({ items: [] })),
    openTasksOf(lead),
    api.get<LeadData['campaign']>(`/campaigns/${encodeURIComponent(lead.campaignId)}`).catch(() => undefined),
  ]);
  return { lead, history: history.items, events: events.items, openTasks, campaign };
}

/** The API call behind each "Why" button; answers what to announce once it is done. */
async function runAction(action: WhyAction, data: LeadData): Promise<string> {
  const lead = `/leads/${encodeURIComponent(data.lead.leadId)}`;
  switch (action.kind) {
    case 'resume': {
      const resumed = await api.post<{ status: string }>(`${lead}/resume`);
      return `Lead resumed: it is ${humanize(resumed.status).toLowerCase()}.`;
    }
    case 'pause':
      await api.post(`${lead}/pause`);
      return 'Lead paused.';
    case 'release': {
      const body = { decision: action.decision, campaignId: data.lead.campaignId };
      const released = await api.post<{ status: string }>(`${lead}/release`, body);
      return `Lead released as ${action.decision === 'sent' ? 'sent' : 'not sent'}: it is ${humanize(released.status).toLowerCase()}.`;
    }
    case 'resume-campaign':
      await api.post(`/campaigns/${encodeURIComponent(data.lead.campaignId)}/resume`);
      return 'Campaign resumed.';
    case 'task':
      await api.post(`/tasks/${encodeURIComponent(action.taskId)}/complete`, { outcome: action.outcome });
      return action.outcome === 'done' ? 'Task marked done.' : 'Task skipped.';
  }
}

export default function LeadPage(props: { id: string }) {
  const loaded = usePoll(() => loadLead(props.id), [props.id]);
  const [chosenRun, setChosenRun] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const data = loaded.data;
  const runs = data ? executionNames(data.lead.executionName, data.history) : [];
  const run = chosenRun && runs.includes(chosenRun) ? chosenRun : runs[0];
  const audit = usePoll(
    () => (run ? api.get<ExecutionAudit>(`/executions/${encodeURIComponent(run)}`) : Promise.resolve(undefined)),
    [run],
  );

  const act = async (action: WhyAction) => {
    if (!data) return;
    setBusy(true);
    setActionError(undefined);
    setAnnouncement('');
    try {
      setAnnouncement(await runAction(action, data));
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
      loaded.refresh();
      audit.refresh();
    }
  };

  return (
    <>
      <h1>{data ? leadName(data.lead) : props.id}</h1>
      <ErrorAlert error={actionError ?? loaded.error} />
      <p role="status" class={announcement ? 'notice' : 'muted'}>
        {announcement}
      </p>
      {!data ? (
        loaded.loading ? (
          <Loading what="the lead" />
        ) : null
      ) : (
        <>
          <LeadFacts data={data} />
          <WhyPanel
            why={explainLead({
              lead: data.lead,
              ...lastAttempts(data.history),
              openTasks: data.openTasks,
              campaignState: data.campaign?.state,
            })}
            busy={busy}
            onAction={(action) => void act(action)}
            taskNames={Object.fromEntries(data.openTasks.map((task) => [task.taskId, task.instructions]))}
          />
          <Timeline items={timelineItems(data.history, data.events)} />
          <Section title="Execution path" id="execution-path">
            {runs.length > 1 ? (
              <p>
                <label>
                  Run{' '}
                  <select value={run} onChange={(event) => setChosenRun((event.target as HTMLSelectElement).value)}>
                    {runs.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                </label>
              </p>
            ) : null}
            {!run ? <p class="muted">The lead has not been in a sequence yet: there is no run to draw.</p> : null}
            {run && audit.error ? <ErrorAlert error={audit.error} /> : null}
            {run && !audit.data && audit.loading ? <Loading what="the run" /> : null}
            {run && audit.data ? <ExecutionPathView audit={audit.data} /> : null}
          </Section>
        </>
      )}
    </>
  );
}

/** Where a lead can be reached: shown even when missing, as a missing address is often why it was not. */
const CONTACT_FACTS: ReadonlySet<string> = new Set(['Email', 'LinkedIn', 'Contact form']);

/** Who the lead is and how to reach them: what an operator checks before fixing an address. */
function LeadFacts(props: { data: LeadData }) {
  const { lead, campaign } = props.data;
  const facts: [string, string | undefined][] = [
    ['Status', `${humanize(lead.status)}${lead.stopReason ? ` (${reasonWords(lead.stopReason)})` : ''}`],
    ['Email', lead.email],
    ['LinkedIn', lead.linkedinUrl],
    ['Contact form', lead.contactFormUrl],
    ['Phone', lead.phone],
    ['Company', lead.company],
    ['Time zone', lead.timezone],
    ['Resumes at', lead.resumeAt ? formatTimestamp(lead.resumeAt) : undefined],
    ['Parked because', lead.parkedDetail],
    ['Updated', formatTimestamp(lead.updatedAt)],
  ].filter(([term, value]) => value !== undefined || CONTACT_FACTS.has(term as string)) as [
    string,
    string | undefined,
  ][];
  return (
    <Section title="Lead" id="lead-facts">
      <p>
        Campaign: <a href={href.campaign(lead.campaignId)}>{campaign?.name ?? lead.campaignId}</a>
        {campaign?.state ? ` (${humanize(campaign.state).toLowerCase()})` : ''}
      </p>
      <dl class="grid">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value ?? <span class="muted">none</span>}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}
