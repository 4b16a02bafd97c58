/**
 * The API shapes the lead, task, parked, sender and webhook pages read (docs/openapi.json). Written out here
 * rather than imported from #shared: the console bundle must not pull zod or server code in.
 */

export type Channel = 'EMAIL' | 'LINKEDIN' | 'CONTACT_FORM' | 'PHONE';
export type LeadStatus =
  | 'NEW'
  | 'IN_SEQUENCE'
  | 'CONTACTED'
  | 'REPLIED'
  | 'UNSUBSCRIBED'
  | 'BOUNCED'
  | 'EXHAUSTED'
  | 'PAUSED';
export type Outcome = 'SENT' | 'RETRY' | 'FALLBACK' | 'STOP';

export interface Lead {
  leadId: string;
  campaignId: string;
  firstName: string;
  lastName?: string;
  email?: string;
  company?: string;
  linkedinUrl?: string;
  contactFormUrl?: string;
  phone?: string;
  timezone?: string;
  country?: string;
  status: LeadStatus;
  grade?: string;
  stopReason?: string;
  executionName?: string;
  resumeFrom?: { stepIndex: number; tryCount: number };
  parkedDetail?: string;
  resumeAt?: string;
  createdAt: string;
  updatedAt: string;
  erasedAt?: string;
}

export interface MessageEntry {
  kind: 'message';
  messageId: string;
  channel: Channel;
  status: 'PENDING' | 'SENT' | 'DELIVERED' | 'REPLIED' | 'BOUNCED' | 'FAILED' | 'SKIPPED';
  subject?: string;
  body: string;
  executionName: string;
  stepId?: string;
  variantId?: string;
  reason?: string;
  createdAt: string;
  sentAt?: string;
  deliveredAt?: string;
  repliedAt?: string;
  bouncedAt?: string;
}

export interface AttemptEntry {
  kind: 'attempt';
  attemptKey: string;
  executionName: string;
  channel: Channel;
  stepIndex: number;
  tryNumber: number;
  state: 'PENDING' | 'DONE';
  outcome?: Outcome;
  reason?: string;
  messageId?: string;
  nextRetryAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type HistoryEntry = MessageEntry | AttemptEntry;

export interface DomainEvent {
  id: string;
  type: string;
  createdAt: string;
  campaignId: string;
  leadId?: string;
  data: Record<string, unknown>;
}

export interface ManualTask {
  taskId: string;
  leadId: string;
  campaignId: string;
  kind: 'call' | 'form' | 'linkedin' | 'other';
  status: 'OPEN' | 'DONE' | 'SKIPPED' | 'EXPIRED';
  instructions: string;
  url?: string;
  dueAt: string;
  createdAt: string;
  channel?: Channel;
  reason?: string;
  detail?: string;
}

export interface AuditedState {
  name: string;
  type: string;
  enteredAt?: string;
  exitedAt?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** `GET /v1/executions/{name}`: what `cascade audit --api` prints. */
export interface ExecutionAudit {
  name: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  parked?: { reason: string; channel?: string; messageId?: string; next: string };
  states: AuditedState[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** The lead's name as people say it, else its id. */
export function leadName(lead: Pick<Lead, 'leadId' | 'firstName' | 'lastName'>): string {
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ').trim();
  return name || lead.leadId;
}
