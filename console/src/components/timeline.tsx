import { formatTimestamp } from '../format';
import { Section } from '../layout';
import type { TimelineItem } from './lead-timeline';

const KIND_WORDS: Record<TimelineItem['kind'], string> = { message: 'Message', attempt: 'Try', event: 'Event' };

/** The lead's messages, tries and events, newest first, as a table (time, kind, what happened, run). */
export function Timeline(props: { items: TimelineItem[] }) {
  return (
    <Section title="Timeline" id="timeline">
      {props.items.length === 0 ? (
        <p class="muted">Nothing has happened to this lead yet.</p>
      ) : (
        <table>
          <caption>Messages, tries and events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">What happened</th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((item) => (
              <tr key={item.key}>
                <td>
                  <time dateTime={item.at}>{formatTimestamp(item.at)}</time>
                </td>
                <td>{KIND_WORDS[item.kind]}</td>
                <td>
                  {item.title}
                  {item.detail ? <div class="muted">{item.detail}</div> : null}
                </td>
                <td class="muted">{item.executionName ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
