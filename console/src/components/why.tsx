import type { Why, WhyAction } from '../explain';
import { Section } from '../layout';

const REACHED_WORDS: Record<Why['reached'], string> = {
  yes: 'Reached',
  no: 'Not reached',
  'not yet': 'Not reached yet',
};

/**
 * The "Why" status panel: where the lead is and why, in plain words, what to do, and the buttons the API offers
 * for it (Resume, Release, Done/Skip of a task…). `busy` disables them while one runs.
 */
export function WhyPanel(props: {
  why: Why;
  busy: boolean;
  onAction: (action: WhyAction) => void;
  /** The instructions of the tasks the task buttons complete, by id (to name each pair of buttons). */
  taskNames?: Record<string, string>;
}) {
  const { why } = props;
  return (
    <Section title="Why" id="why">
      <p>
        <strong class={`badge ${why.reached === 'yes' ? 'CONTACTED' : why.reached === 'no' ? 'BOUNCED' : 'PAUSED'}`}>
          {REACHED_WORDS[why.reached]}
        </strong>{' '}
        {why.headline}
      </p>
      {why.details.length > 0 ? (
        <ul>
          {why.details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      ) : null}
      <h3>What to do</h3>
      {why.todo.length > 0 ? (
        <ul>
          {why.todo.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">Nothing: Cascade carries on by itself.</p>
      )}
      {why.actions.length > 0 ? (
        <div class="toolbar">
          {why.actions.map((action) => (
            <button
              key={actionKey(action)}
              type="button"
              class={action.kind === 'task' && action.outcome === 'skipped' ? 'secondary' : undefined}
              disabled={props.busy}
              title={action.kind === 'task' ? props.taskNames?.[action.taskId] : undefined}
              onClick={() => props.onAction(action)}
            >
              {action.label}
            </button>
          ))}
        </div>
      ) : null}
    </Section>
  );
}

function actionKey(action: WhyAction): string {
  if (action.kind === 'task') return `task:${action.taskId}:${action.outcome}`;
  if (action.kind === 'release') return `release:${action.decision}`;
  return action.kind;
}
