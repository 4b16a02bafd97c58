/**
 * State names are what an operator reads in the console and what the embedded runtime's overrides
 * key on: keep them stable. A plain module (no CDK) so the CLI and the embedded runtime read executions without
 * loading aws-cdk-lib.
 */
export const STATE = {
  routeByChannel: 'Route By Channel',
  waitBeforeStep: 'Wait Before Step',
  markStepWaitDone: 'Mark Step Wait Done',
  sendEmail: 'Send Email',
  sendLinkedIn: 'Send LinkedIn Message',
  submitContactForm: 'Submit Contact Form',
  createPhoneTask: 'Create Phone Task',
  routeOutcome: 'Route Outcome',
  waitBeforeNextTouch: 'Wait Before Next Touch',
  waitBeforeRetry: 'Wait Before Retry',
  waitForDelivery: 'Wait For Delivery',
  checkDelivery: 'Check Delivery',
  emailBounced: 'Email Bounced',
  complaintReceived: 'Complaint Received',
  waitForPerson: 'Wait For Person',
  personDidNotAnswer: 'Person Did Not Answer',
  routeAnswer: 'Route Answer',
  answerStopped: 'Answer Stopped Sequence',
  succeeded: 'Sequence Succeeded',
  stopped: 'Sequence Stopped',
  markLeadExhausted: 'Mark Lead Exhausted',
  markLeadContacted: 'Mark Lead Contacted',
  allChannelsExhausted: 'All Channels Exhausted',
  sequenceErrored: 'Sequence Errored',
  settleOpenAttempts: 'Settle Open Attempts',
  unexpectedOutcome: 'Unexpected Outcome',
} as const;

/** The Task states that call a channel service (their output's `result` is a ChannelResult). */
export const CHANNEL_TASK_STATES: readonly string[] = [
  STATE.sendEmail,
  STATE.sendLinkedIn,
  STATE.submitContactForm,
  STATE.createPhoneTask,
];
