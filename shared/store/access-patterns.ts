import type { TableSpec } from './tables';

/** Every DynamoDB access pattern Cascade relies on (rendered into docs/architecture.md). */
export interface AccessPattern {
  pattern: string;
  table: TableSpec['id'];
  key: string;
  index: string;
}

export const ACCESS_PATTERNS: AccessPattern[] = [
  { pattern: 'Lead by id', table: 'Leads', key: 'pk = LEAD#<leadId>, sk = LEAD', index: '—' },
  { pattern: 'Campaign by id', table: 'Leads', key: 'pk = CAMPAIGN#<campaignId>, sk = CAMPAIGN', index: '—' },
  {
    pattern: "A campaign's leads by status, grade ≥ minGrade (batch)",
    table: 'Leads',
    key: 'campaignStatus = <campaignId>#NEW, gradeCreated < <next grade letter>',
    index: 'byCampaignStatus (GSI)',
  },
  {
    pattern: 'Active campaigns (schedule)',
    table: 'Leads',
    key: 'campaignStatus = CAMPAIGNS#ACTIVE',
    index: 'byCampaignStatus (GSI)',
  },
  {
    pattern: 'One lead per email per campaign',
    table: 'Leads',
    key: 'pk = CAMPAIGN#<campaignId>#EMAIL#<address> (conditional put)',
    index: '—',
  },
  {
    pattern: 'Campaign state and sequence changes (conditional on state / version)',
    table: 'Leads',
    key: 'pk = CAMPAIGN#<campaignId>, sk = CAMPAIGN (conditional update)',
    index: '—',
  },
  { pattern: "A lead's manual tasks", table: 'Leads', key: 'pk = LEAD#<leadId>, sk begins_with TASK#', index: '—' },
  {
    pattern: 'Manual tasks by status across leads (operators)',
    table: 'Leads',
    key: 'campaignStatus = TASKS#<status>, sk by <dueAt>#<taskId>',
    index: 'byCampaignStatus',
  },
  { pattern: 'Manual task by id', table: 'Leads', key: 'pk = TASK#<taskId>, sk = TASK', index: '—' },
  {
    pattern: "A campaign's sequence versions (a lead resumes in its own)",
    table: 'Leads',
    key: 'pk = CAMPAIGN#<campaignId>, sk = SEQUENCE#<version>',
    index: '—',
  },
  {
    pattern: "A campaign's leads at one company (stopOnCompanyReply)",
    table: 'Leads',
    key: 'pk = CAMPAIGN#<campaignId>#COMPANY#<sha256(domain)>, sk = LEAD#<leadId>',
    index: '—',
  },
  {
    pattern: "A person's running sequences (maxActiveSequencesPerPerson)",
    table: 'Leads',
    key: 'pk = PERSON#<sha256(email or profile)>, sk = ACTIVE',
    index: '—',
  },
  {
    pattern: 'A run waiting for a person (task token)',
    table: 'Outreach',
    key: 'pk = LEAD#<leadId>, sk = WAIT#<executionName>',
    index: '—',
  },
  {
    pattern: "A lead's messages and attempts, newest first (history)",
    table: 'Outreach',
    key: 'pk = LEAD#<leadId>, timeSort descending',
    index: 'byTime (LSI)',
  },
  {
    pattern: "A lead's messages (erasure)",
    table: 'Outreach',
    key: 'pk = LEAD#<leadId>, sk begins_with MESSAGE#',
    index: '—',
  },
  {
    pattern: 'One try of one step (at-most-once claim)',
    table: 'Outreach',
    key: 'pk = LEAD#<leadId>, sk = ATTEMPT#<execution>#<step>#<try> (conditional put)',
    index: '—',
  },
  {
    pattern: 'Messages by channel and time (metrics)',
    table: 'Outreach',
    key: 'channelDay = <CHANNEL>#<YYYY-MM-DD>, createdAt range',
    index: 'byChannelDay (GSI)',
  },
  {
    pattern: 'Channel metrics counters, per campaign or all (`*`), day and channel: bump one random shard, read all 8',
    table: 'Outreach',
    key: 'pk = METRICS#<shard 0–7>#<campaignId | *>, sk between <from>#… <to>#~ (sk = <YYYY-MM-DD>#<CHANNEL>)',
    index: '—',
  },
  {
    pattern: 'Message by provider message id (SES events)',
    table: 'Outreach',
    key: 'providerMessageId = <id>',
    index: 'byProviderMessageId (GSI)',
  },
  {
    pattern: 'Config by campaign and channel (account default)',
    table: 'Config',
    key: 'pk = CAMPAIGN#<campaignId> | ACCOUNT, sk = CHANNEL#<channel>',
    index: '—',
  },
  { pattern: 'Account-wide limits', table: 'Config', key: 'pk = ACCOUNT, sk = LIMITS', index: '—' },
  {
    pattern: 'Operator API idempotency record (conditional put, expiresAt)',
    table: 'Config',
    key: 'pk = IDEMPOTENCY#<Idempotency-Key>, sk = REQUEST',
    index: '—',
  },
  {
    pattern:
      'Rate counter per window (atomic conditional ADD, TTL; a limit of 2,000+ is spread over up to 10 shard items)',
    table: 'RateCounters',
    key: 'pk = <CHANNEL>#H#<hour>[#S<n>] | <CHANNEL>#D#<day>[#S<n>] | ALL#D#<day>[#S<n>] | DOMAIN#<d>#<day> | LEAD#<id>#COOLDOWN | LEAD#<id>#TOUCHES',
    index: '—',
  },
  {
    pattern: 'Suppression by address, domain or hash',
    table: 'Suppressions',
    key: 'pk = EMAIL#<address> | DOMAIN#<domain> | HASH#<sha256> (one BatchGet)',
    index: '—',
  },
  {
    pattern: 'Suppression list for operators (paginated Scan of a small table)',
    table: 'Suppressions',
    key: 'Scan, Limit + ExclusiveStartKey',
    index: '—',
  },
];
