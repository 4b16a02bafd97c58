import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OutreachObservabilityProps {
  stateMachine: sfn.IStateMachine;
  deadLetterQueues: sqs.IQueue[];
}

/**
 * The dashboard and alarms an operator of an outreach engine needs: SES reputation (bounce > 5 %,
 * complaint > 0.1 %, the levels at which SES reviews an account), failed executions, dead letters, and
 * Cascade's own OperatorAlert metric.
 */
export class OutreachObservability extends Construct {
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OutreachObservabilityProps) {
    super(scope, id);
    const period = Duration.minutes(15);
    const bounceRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      statistic: 'Maximum',
      period,
    });
    const complaintRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.ComplaintRate',
      statistic: 'Maximum',
      period,
    });
    const failedExecutions = props.stateMachine.metricFailed({ period, statistic: 'Sum' });
    const operatorAlerts = new cloudwatch.Metric({
      namespace: 'Cascade',
      metricName: 'OperatorAlert',
      statistic: 'Sum',
      period,
    });
    const deadLetters = props.deadLetterQueues.map((queue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    );

    this.alarms = [
      new cloudwatch.Alarm(this, 'BounceRateAlarm', {
        alarmDescription: 'SES bounce rate above 5 %: clean the lead lists before SES pauses sending',
        metric: bounceRate,
        threshold: 0.05,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'ComplaintRateAlarm', {
        alarmDescription: 'SES complaint rate above 0.1 %: review templates and targeting',
        metric: complaintRate,
        threshold: 0.001,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'FailedExecutionsAlarm', {
        alarmDescription: 'Sequences failing (errors, not exhausted channels) — audit them with `cascade audit`',
        metric: failedExecutions,
        threshold: 10,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'OperatorAlertAlarm', {
        alarmDescription: 'A provider account needs an operator (SES paused or unverified, LinkedIn disconnected)',
        metric: operatorAlerts,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      ...deadLetters.map(
        (metric, index) =>
          new cloudwatch.Alarm(this, `DeadLetterAlarm${index}`, {
            alarmDescription: 'Events that could not be processed are waiting in a dead-letter queue',
            metric,
            threshold: 0,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      ),
    ];

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: 'Cascade-Outreach' });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'SES reputation', left: [bounceRate, complaintRate], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Sequences',
        left: [
          props.stateMachine.metricStarted({ period }),
          props.stateMachine.metricSucceeded({ period }),
          failedExecutions,
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Step outcomes (Powertools EMF)',
        left: ['EMAIL', 'LINKEDIN', 'CONTACT_FORM'].flatMap((channel) =>
          ['SENT', 'FALLBACK'].map(
            (outcome) =>
              new cloudwatch.Metric({
                namespace: 'Cascade',
                metricName: `${channel}_${outcome}`,
                dimensionsMap: { service: 'cascade' },
                statistic: 'Sum',
                period,
              }),
          ),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Operator alerts and dead letters',
        left: [operatorAlerts, ...deadLetters],
        width: 12,
      }),
    );
  }
}
