import { createHash, randomBytes } from 'node:crypto';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** Step Functions names allow 80 chars of [A-Za-z0-9-_]; one (campaign, lead) pair maps to one name. */
export function executionNameFor(campaignId: string, leadId: string): string {
  const safe = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '-');
  const name = `${safe(campaignId)}--${safe(leadId)}`;
  return name.length <= 80 ? name : `${name.slice(0, 63)}-${sha256(name).slice(0, 16)}`;
}

/** Attempt key: stable across Lambda/Step Functions retries of one try, distinct for each try. */
export function attemptKeyFor(executionName: string, stepIndex: number, tryNumber: number): string {
  return `${executionName}#${stepIndex}#${tryNumber}`;
}

export function messageIdFor(attemptKey: string): string {
  return `msg_${sha256(attemptKey).slice(0, 24)}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
