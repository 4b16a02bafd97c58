import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { type Lead, leadName, type ManualTask, type Page } from '../components/lead-types';
import { channelLabel, formatTimestamp, humanize } from '../format';
import { ErrorAlert, Loading } from '../layout';
import { usePoll } from '../poll';
import { href } from '../router';

/** Open manual tasks, soonest due first (the API's order), up to a few pages. */
async function loadOpenTasks(): Promise<ManualTask[]> {
  const tasks: ManualTask[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const found = await api.get<Page<ManualTask>>(`/tasks${query({ status: 'OPEN', limit: 200, cursor })}`);
    tasks.push(...found.items);
    cursor = found.nextCursor;
    if (!cursor) break;
  }
  return tasks;
}

/** Campaign names by id, for the links (the tasks carry ids only); without them the ids are shown. */
async function campaignNames(): Promise<Record<string, string>> {
  const list = await api.get<Page<{ campaignId: string; name: string }>>('/campaigns').catch(() => ({ items: [] }));
  return Object.fromEntries(list.items.map((campaign) => [campaign.campaignId, campaign.name]));
}

/** Lead names already read: a lead's name does not change, so each is asked for once per page load. */
const leadNames = new Map<string, string>();

/** The names of the tasks' leads (the tasks carry ids only), at most 50 new ones a poll. */
async function readLeadNames(tasks: readonly ManualTask[]): Promise<void> {
  const missing = [...new Set(tasks.map((task) => task.leadId))].filter((id) => !leadNames.has(id)).slice(0, 50);
  await Promise.all(
    missing.map(async (id) => {
      const lead = await api.get<Lead>(`/leads/${encodeURIComponent(id)}`).catch(() => undefined);
      if (lead) leadNames.set(id, leadName(lead));
    }),
  );
}

async function loadPage(): Promise<{ tasks: ManualTask[]; names: Record<string, string> }> {
  const [tasks, names] = await Promise.all([loadOpenTasks(), campaignNames()]);
  await readLeadNames(tasks);
  return { tasks, names };
}

/** The tasks page: each open task with its lead, campaign and instructions, and "Done" / "Skip". */
export default function TasksPage() {
  const tasks = usePoll(loadPage, []);
  const [busyTask, setBusyTask] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [announcement, setAnnouncement] = useState('');

  const complete = async (task: ManualTask, outcome: 'done' | 'skipped') => {
    setBusyTask(task.taskId);
    setActionError(undefined);
    try {
      await api.post(`/tasks/${encodeURIComponent(task.taskId)}/complete`, { outcome });
      setAnnouncement(
        `Task for ${leadNames.get(task.leadId) ?? task.leadId} ${outcome === 'done' ? 'marked done' : 'skipped'}.`,
      );
    } catch (error) {
      setActionError(error);
    } finally {
      setBusyTask(undefined);
      tasks.refresh();
    }
  };

  const items = tasks.data?.tasks ?? [];
  const names = tasks.data?.names ?? {};
  return (
    <>
      <h1>Tasks</h1>
      <p class="muted">
        Manual steps of the sequences: a call to make, a form to fill in by hand. Do it, then mark it Done — or Skip it;
        the lead's sequence goes on either way.
      </p>
      <ErrorAlert error={actionError ?? tasks.error} />
      <p role="status" class={announcement ? 'notice' : 'muted'}>
        {announcement}
      </p>
      {tasks.loading && !tasks.data ? <Loading what="the open tasks" /> : null}
      {tasks.data && items.length === 0 ? <p>No open task: nothing waits for you.</p> : null}
      {items.length > 0 ? (
        <table>
          <caption>Open tasks, soonest due first</caption>
          <thead>
            <tr>
              <th scope="col">Due</th>
              <th scope="col">Kind</th>
              <th scope="col">Lead</th>
              <th scope="col">Campaign</th>
              <th scope="col">Instructions</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((task) => (
              <tr key={task.taskId}>
                <td>
                  <time dateTime={task.dueAt}>{formatTimestamp(task.dueAt)}</time>
                </td>
                <td>
                  {humanize(task.kind)}
                  {task.channel ? <div class="muted">{channelLabel(task.channel)}</div> : null}
                </td>
                <td>
                  <a href={href.lead(task.leadId)}>{leadNames.get(task.leadId) ?? task.leadId}</a>
                </td>
                <td>
                  <a href={href.campaign(task.campaignId)}>{names[task.campaignId] ?? task.campaignId}</a>
                </td>
                <td>
                  {task.instructions}
                  {task.url ? (
                    <div>
                      <a href={task.url} target="_blank" rel="noopener noreferrer">
                        Open the page
                      </a>
                    </div>
                  ) : null}
                  {task.detail ? <div class="muted">{task.detail}</div> : null}
                </td>
                <td>
                  <div class="actions">
                    <button
                      type="button"
                      class="small"
                      disabled={busyTask === task.taskId}
                      aria-describedby={`task-${task.taskId}`}
                      onClick={() => void complete(task, 'done')}
                    >
                      Done
                    </button>
                    <button
                      type="button"
                      class="small secondary"
                      disabled={busyTask === task.taskId}
                      aria-describedby={`task-${task.taskId}`}
                      onClick={() => void complete(task, 'skipped')}
                    >
                      Skip
                    </button>
                    <span id={`task-${task.taskId}`} hidden>
                      {`${humanize(task.kind)} task for ${leadNames.get(task.leadId) ?? task.leadId}`}
                    </span>
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
