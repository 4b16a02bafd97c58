import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { channelLabel } from '../format';
import { CHART_CHANNELS, chartColumns, type DailySends } from './campaign-data';

/** Distinct and ≥ 4.5:1 on white, so lines and legend swatches read for everyone. */
const COLORS: Record<(typeof CHART_CHANNELS)[number], string> = {
  EMAIL: '#0a50c2',
  LINKEDIN: '#a04000',
  CONTACT_FORM: '#17663a',
};

const HEIGHT = 260;

function options(width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    // The API's days are UTC: label them so, whatever the browser's zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(5, Math.ceil(max * 1.1))] } },
    axes: [
      { stroke: '#1b1f24', grid: { stroke: '#e5e7eb' }, values: '{YYYY}-{MM}-{DD}' },
      { stroke: '#1b1f24', grid: { stroke: '#e5e7eb' }, label: 'Sends', values: (_plot, ticks) => ticks.map(String) },
    ],
    series: [
      { label: 'Day', value: '{YYYY}-{MM}-{DD}' },
      ...CHART_CHANNELS.map((channel) => ({
        label: channelLabel(channel),
        stroke: COLORS[channel],
        width: 2,
        points: { show: true, size: 6 },
      })),
    ],
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
  };
}

/**
 * Sends per day per channel drawn by uPlot. The canvas is for the eye: its numbers are in the table beside it,
 * so the figure is one image with a name for assistive technology.
 */
export function SendsChart(props: { daily: readonly DailySends[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const created = new uPlot(options(Math.max(320, element.clientWidth)), chartColumns([]), element);
    plot.current = created;
    // Follow the card's width (window resize, sidebar…), never wider than it.
    const resize = new ResizeObserver(() =>
      created.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = undefined;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(chartColumns(props.daily));
  }, [props.daily]);

  return <div ref={host} class="chart" role="img" aria-label={props.label} data-testid="sends-chart" />;
}
