import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OutreachObservabilityProps {
  stateMachine: sfn.IStateMachine;
  deadLetterQueues: sqs.IQueue[];
}

/** The metrics the alarms and the dashboard share. */
interface OutreachMetrics {
  bounceRate: cloudwatch.Metric;
  complaintRate: cloudwatch.Metric;
  failedExecutions: cloudwatch.Metric;
  operatorAlerts: cloudwatch.Metric;
  deadLetters: cloudwatch.Metric[];
}

/** Every metric is read in 15-minute periods. */
const PERIOD = Duration.minutes(15);

/**
 * The dashboard and alarms an operator of an outreach engine needs: SES reputation (bounce > 5 %,
 * complaint > 0.1 %, the levels at which SES reviews an account), failed executions, dead letters, and
 * Cascade's own OperatorAlert metric.
 */
export class OutreachObservability extends Construct {
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OutreachObservabilityProps) {
    super(scope, id);
    const metrics: OutreachMetrics = {
      bounceRate: new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.BounceRate',
        statistic: 'Maximum',
        period: PERIOD,
      }),
      complaintRate: new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.ComplaintRate',
        statistic: 'Maximum',
        period: PERIOD,
      }),
      failedExecutions: props.stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
      operatorAlerts: new cloudwatch.Metric({
        namespace: 'Cascade',
        metricName: 'OperatorAlert',
        statistic: 'Sum',
        period: PERIOD,
      }),
      deadLetters: props.deadLetterQueues.map((queue) =>
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      ),
    };
    this.alarms = this.addAlarms(metrics);
    this.addDashboard(metrics, props.stateMachine);
  }

  private addAlarms(metrics: OutreachMetrics): cloudwatch.Alarm[] {
    return [
      this.alarm(
        'BounceRateAlarm',
        metrics.bounceRate,
        0.05,
        'SES bounce rate above 5 %: clean the lead lists before SES pauses sending',
      ),
      this.alarm(
        'ComplaintRateAlarm',
        metrics.complaintRate,
        0.001,
        'SES complaint rate above 0.1 %: review templates and targeting',
      ),
      this.alarm(
        'FailedExecutionsAlarm',
        metrics.failedExecutions,
        10,
        'Sequences failing (errors, not exhausted channels) — audit them with `cascade audit`',
      ),
      this.alarm(
        'OperatorAlertAlarm',
        metrics.operatorAlerts,
        0,
        'A provider account needs an operator (SES paused or unverified, LinkedIn disconnected)',
      ),
      ...metrics.deadLetters.map((metric, index) =>
        this.alarm(
          `DeadLetterAlarm${index}`,
          metric,
          0,
          'Events that could not be processed are waiting in a dead-letter queue',
        ),
      ),
    ];
  }

  /** Fires on the first period above `threshold`; a period without data is not a breach. */
  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private addDashboard(metrics: OutreachMetrics, stateMachine: sfn.IStateMachine): void {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: 'Cascade-Outreach' });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'SES reputation',
        left: [metrics.bounceRate, metrics.complaintRate],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sequences',
        left: [
          stateMachine.metricStarted({ period: PERIOD }),
          stateMachine.metricSucceeded({ period: PERIOD }),
          metrics.failedExecutions,
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Step outcomes (Powertools EMF)', left: stepOutcomeMetrics(), width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Operator alerts and dead letters',
        left: [metrics.operatorAlerts, ...metrics.deadLetters],
        width: 12,
      }),
    );
  }
}

/** SENT and FALLBACK counts of each channel, as the step runner publishes them (Powertools EMF). */
function stepOutcomeMetrics(): cloudwatch.Metric[] {
  return ['EMAIL', 'LINKEDIN', 'CONTACT_FORM'].flatMap((channel) =>
    ['SENT', 'FALLBACK'].map(
      (outcome) =>
        new cloudwatch.Metric({
          namespace: 'Cascade',
          metricName: `${channel}_${outcome}`,
          dimensionsMap: { service: 'cascade' },
          statistic: 'Sum',
          period: PERIOD,
        }),
    ),
  );
}
