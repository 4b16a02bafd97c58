import type * as events from 'aws-cdk-lib/aws-events';
import * as ses from 'aws-cdk-lib/aws-ses';

/**
 * The events the configuration set publishes, each with the detail type SES gives it on EventBridge (Amazon SES
 * Developer Guide, "Monitoring email sending using Amazon EventBridge"; the fixtures in shared/fixtures/ses-events).
 * One table, so the event destination and the rule that matches its events cannot drift apart.
 */
const SES_EVENTS: readonly (readonly [ses.EmailSendingEvent, string])[] = [
  [ses.EmailSendingEvent.SEND, 'Email Sent'],
  [ses.EmailSendingEvent.DELIVERY, 'Email Delivered'],
  [ses.EmailSendingEvent.BOUNCE, 'Email Bounced'],
  [ses.EmailSendingEvent.COMPLAINT, 'Email Complaint Received'],
  [ses.EmailSendingEvent.REJECT, 'Email Rejected'],
  [ses.EmailSendingEvent.OPEN, 'Email Opened'],
  [ses.EmailSendingEvent.CLICK, 'Email Clicked'],
  [ses.EmailSendingEvent.DELIVERY_DELAY, 'Email Delivery Delayed'],
  [ses.EmailSendingEvent.RENDERING_FAILURE, 'Email Rendering Failed'],
  [ses.EmailSendingEvent.SUBSCRIPTION, 'Email Subscribed'],
];

/** The sending events the configuration set publishes to the default bus. */
export const SES_EVENT_TYPES: readonly ses.EmailSendingEvent[] = SES_EVENTS.map(([event]) => event);

/** Their detail types on EventBridge. */
export const SES_DETAIL_TYPES: readonly string[] = SES_EVENTS.map(([, detailType]) => detailType);

/**
 * The SES events of one configuration set, matched on what AWS documents for every SES event on EventBridge:
 * the source, the detail type, and the `ses:configuration-set` tag SES puts on every mail sent with a
 * configuration set (not `resources`).
 */
export function sesEventsPattern(configurationSetName: string): events.EventPattern {
  return {
    source: ['aws.ses'],
    detailType: [...SES_DETAIL_TYPES],
    detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
  };
}
