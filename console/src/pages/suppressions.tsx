import { useState } from 'preact/hooks';
import { api, query } from '../api';
import type { Page } from '../components/lead-types';
import { formatTimestamp } from '../format';
import { ErrorAlert, Loading, Section } from '../layout';
import { usePoll } from '../poll';

interface Suppression {
  key: string;
  reason: string;
  source: string;
  createdAt: string;
}

/** What an entry closes, as the add request names it (exactly one per entry). */
const TARGETS = [
  { field: 'email', label: 'Email address', placeholder: 'ada@example.com' },
  { field: 'domain', label: 'Email domain', placeholder: 'example.com' },
  { field: 'linkedinProfile', label: 'LinkedIn profile', placeholder: 'https://www.linkedin.com/in/ada' },
  { field: 'formDomain', label: 'Contact-form site', placeholder: 'acme.example' },
  { field: 'leadId', label: 'Lead id', placeholder: 'lead id' },
] as const;
type Target = (typeof TARGETS)[number]['field'];

const PAGE_SIZE = 100;

/** Suppressions: the do-not-contact list, a page at a time, with a form to add an entry and "Remove" per entry. */
export default function SuppressionsPage() {
  // The cursors of the pages before this one, so "Previous page" can go back (the API pages forward only).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = usePoll(
    () => api.get<Page<Suppression>>(`/suppressions${query({ limit: PAGE_SIZE, cursor })}`),
    [cursor],
  );
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      setAnnouncement(await action());
      return true;
    } catch (error) {
      setActionError(error);
      return false;
    } finally {
      setBusy(false);
      page.refresh();
    }
  };

  const remove = (entry: Suppression) =>
    run(async () => {
      await api.del(`/suppressions/${encodeURIComponent(entry.key)}`);
      return `Removed ${entry.key} from the do-not-contact list.`;
    });

  const items = page.data?.items ?? [];
  return (
    <>
      <h1>Suppressions</h1>
      <p class="muted">
        The do-not-contact list: Cascade never contacts an address, domain, profile or site on it. Unsubscribes and
        complaints land here by themselves.
      </p>
      <ErrorAlert error={actionError ?? page.error} />
      <p role="status" class={announcement ? 'notice' : 'muted'}>
        {announcement}
      </p>
      <AddSuppressionForm
        busy={busy}
        onAdd={(target, value, reason) =>
          run(async () => {
            await api.post('/suppressions', { [target]: value, reason });
            return `Added ${value} to the do-not-contact list.`;
          })
        }
      />
      <Section title="Entries" id="entries">
        {page.loading && !page.data ? <Loading what="the entries" /> : null}
        {page.data && items.length === 0 ? <p>The list is empty.</p> : null}
        {items.length > 0 ? (
          <table>
            <caption>Do-not-contact entries</caption>
            <thead>
              <tr>
                <th scope="col">Entry</th>
                <th scope="col">Reason</th>
                <th scope="col">Source</th>
                <th scope="col">Added</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry, index) => (
                <tr key={entry.key}>
                  <th scope="row" id={`suppression-${index}`}>
                    {entry.key}
                  </th>
                  <td>{entry.reason}</td>
                  <td>{entry.source}</td>
                  <td>{formatTimestamp(entry.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      class="small secondary"
                      disabled={busy}
                      aria-describedby={`suppression-${index}`}
                      onClick={() => void remove(entry)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <div class="pager">
          <button
            type="button"
            class="secondary"
            disabled={cursors.length <= 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous page
          </button>
          <button
            type="button"
            class="secondary"
            disabled={!page.data?.nextCursor}
            onClick={() => setCursors([...cursors, page.data?.nextCursor])}
          >
            Next page
          </button>
        </div>
      </Section>
    </>
  );
}

function AddSuppressionForm(props: {
  busy: boolean;
  onAdd: (target: Target, value: string, reason: string) => Promise<boolean>;
}) {
  const [target, setTarget] = useState<Target>('email');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const placeholder = TARGETS.find((option) => option.field === target)?.placeholder;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await props.onAdd(target, value.trim(), reason.trim())) {
      setValue('');
      setReason('');
    }
  };
  return (
    <Section title="Add an entry" id="add-entry">
      <form class="toolbar" onSubmit={(event) => void submit(event)}>
        <label>
          What{' '}
          <select value={target} onChange={(event) => setTarget((event.target as HTMLSelectElement).value as Target)}>
            {TARGETS.map((option) => (
              <option key={option.field} value={option.field}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Value{' '}
          <input
            required
            value={value}
            placeholder={placeholder}
            onInput={(event) => setValue((event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Reason{' '}
          <input
            required
            maxLength={200}
            value={reason}
            placeholder="asked not to be contacted"
            onInput={(event) => setReason((event.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={props.busy}>
          Add
        </button>
      </form>
    </Section>
  );
}
