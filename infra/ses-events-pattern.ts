/**
 * The detail types SES uses for the events of a configuration set on EventBridge (Amazon SES Developer
 * Guide, "Monitoring email sending using Amazon EventBridge"; the fixtures in ../shared/fixtures/ses-events).
 */
export const SES_DETAIL_TYPES = [
  'Email Sent',
  'Email Delivered',
  'Email Bounced',
  'Email Complaint Received',
  'Email Rejected',
  'Email Opened',
  'Email Clicked',
  'Email Delivery Delayed',
  'Email Rendering Failed',
  'Email Subscribed',
] as const;
