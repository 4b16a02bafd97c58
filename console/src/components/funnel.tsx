import { formatCount, formatRate } from '../format';
import { type Funnel as FunnelCounts, funnelStages } from './campaign-data';

/** The funnel as an ordered list: each stage's name, count and share, with a bar drawn for the eye only. */
export function Funnel(props: { funnel: FunnelCounts; label?: string }) {
  const stages = funnelStages(props.funnel);
  const enrolled = props.funnel.enrolled;
  return (
    <ol class="funnel" aria-label={props.label ?? 'Funnel'}>
      {stages.map((stage) => (
        <li key={stage.key}>
          <span>{stage.label}</span>
          <span class="bar" aria-hidden="true">
            <span style={{ width: `${(stage.share * 100).toFixed(1)}%` }} />
          </span>
          <span class="value">
            {formatCount(stage.count)}
            {stage.key !== 'enrolled' && stage.key !== 'new' && enrolled > 0 ? (
              <span class="muted"> ({formatRate(stage.count / enrolled, 0)})</span>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  );
}
