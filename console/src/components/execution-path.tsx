import { channelWords, reasonWords } from '../explain';
import { formatTimestamp } from '../format';
import { layoutPath, MARK_WORDS, type PathNode, pathNodes, type StateMark } from './lead-path-layout';
import type { ExecutionAudit } from './lead-types';

/** Box colours by mark; the words in each box and in the list say the same, so colour is never the only sign. */
const COLOURS: Record<StateMark, { fill: string; stroke: string }> = {
  ok: { fill: '#f4f6f8', stroke: '#5b6670' },
  sent: { fill: '#e3f4e8', stroke: '#1e7b3a' },
  retry: { fill: '#fff5d6', stroke: '#8a6100' },
  fallback: { fill: '#fff5d6', stroke: '#8a6100' },
  stop: { fill: '#fde8e8', stroke: '#a12622' },
  failed: { fill: '#fde8e8', stroke: '#a12622' },
  retried: { fill: '#fff5d6', stroke: '#8a6100' },
  caught: { fill: '#efe6fb', stroke: '#5b2d9a' },
  running: { fill: '#e4efff', stroke: '#1f5fbf' },
};

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The words under a state's name: the mark ("failed", "caught an error"…) and what the Task answered. */
function subtitle(node: PathNode): string {
  return [MARK_WORDS[node.mark], node.note].filter(Boolean).join(': ');
}

/**
 * One run drawn as the path through the state machine (the states `cascade audit` lists), boxes in reading order
 * with arrows; then the same states as an ordered list with their times, for keyboards and screen readers.
 */
export function ExecutionPathView(props: { audit: ExecutionAudit }) {
  const { audit } = props;
  const nodes = pathNodes(audit);
  const layout = layoutPath(nodes);
  return (
    <div>
      <p>
        Run <code>{audit.name}</code>: {audit.status.toLowerCase()}, started {formatTimestamp(audit.startDate)}
        {audit.stopDate ? `, ended ${formatTimestamp(audit.stopDate)}` : ''}.
        {audit.error ? ` It failed: ${audit.error}${audit.cause ? ` (${clip(audit.cause, 200)})` : ''}.` : ''}
      </p>
      {audit.parked ? (
        <p class="notice">
          The run parked its lead: {reasonWords(audit.parked.reason)}
          {audit.parked.channel ? ` (on ${channelWords(audit.parked.channel)})` : ''}. Next: {audit.parked.next}.
        </p>
      ) : null}
      <div class="path-scroll">
        <svg
          role="img"
          aria-label="Execution path"
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
        >
          <defs>
            <marker
              id="path-arrow"
              viewBox="0 0 10 10"
              refX="10"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6670" />
            </marker>
          </defs>
          {layout.arrows.map((d) => (
            <path key={d} d={d} fill="none" stroke="#5b6670" stroke-width="1.5" marker-end="url(#path-arrow)" />
          ))}
          {layout.boxes.map((box) => {
            const colour = COLOURS[box.node.mark];
            const failed = box.node.mark === 'failed' || box.node.mark === 'stop';
            return (
              <g key={box.node.index}>
                <rect
                  x={box.x}
                  y={box.y}
                  width={box.width}
                  height={box.height}
                  rx="6"
                  fill={colour.fill}
                  stroke={colour.stroke}
                  stroke-width={failed ? 2.5 : 1.5}
                  stroke-dasharray={box.node.mark === 'caught' ? '5 3' : undefined}
                />
                <text x={box.x + 8} y={box.y + 20} font-size="13" font-weight="600" fill="#1b1f24">
                  {clip(box.node.name, 22)}
                </text>
                <text x={box.x + 8} y={box.y + 39} font-size="11" fill="#333b44">
                  {clip(subtitle(box.node) || box.node.type, 26)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <ol aria-label="States">
        {nodes.map((node) => (
          <li key={node.index}>
            <time dateTime={node.enteredAt}>{formatTimestamp(node.enteredAt)}</time> <strong>{node.name}</strong>{' '}
            <span class="muted">({node.type})</span>
            {subtitle(node) ? ` — ${subtitle(node)}` : ''}
            {audit.states[node.index]?.cause ? (
              <div class="muted">{clip(audit.states[node.index]?.cause ?? '', 300)}</div>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
