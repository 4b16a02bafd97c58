import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics instance per process, shared by every handler and the core they call. */
export const logger = new Logger({ serviceName: 'cascade' });
export const metrics = new Metrics({ namespace: 'Cascade', serviceName: 'cascade' });

/** Something only an operator can fix (paused SES account, disconnected LinkedIn account): an error log and a metric. */
export function raiseOperatorAlert(alert: string, details: Record<string, unknown>): void {
  logger.error(`operator alert: ${alert}`, { alert, ...details });
  const single = metrics.singleMetric();
  single.addDimension('alert', alert);
  single.addMetric('OperatorAlert', MetricUnit.Count, 1);
}

export function countOutcome(channel: string, outcome: string): void {
  metrics.addMetric(`${channel}_${outcome}`, MetricUnit.Count, 1);
}
