/** The sender, LinkedIn account and health shapes the senders page reads (docs/openapi.json). */

export type Check = 'pass' | 'fail' | 'none' | 'unknown';

export interface Sender {
  senderId: string;
  name: string;
  email: string;
  replyTo?: string;
  dailyLimit?: number;
  warmup?: { startPerDay?: number; increasePerDay?: number };
  state?: 'ACTIVE' | 'PAUSED';
  pausedReason?: string;
  pausedAt?: string;
  firstSendDay?: string;
}

export interface SenderHealth {
  senderId: string;
  email: string;
  domain: string;
  checkedAt: string;
  overall: 'pass' | 'fail' | 'unknown';
  problems: string[];
  spf: Check;
  dkim: Check;
  dmarc: Check;
  dmarcPolicy: string | null;
  aligned: boolean | null;
  sesIdentity: string | null;
  sesVerifiedForSending: boolean | null;
  sesDkimStatus: string;
  sent7d: number | null;
  bounceRate7d: number | null;
  complaintRate7d: number | null;
  state: 'ACTIVE' | 'PAUSED';
  pausedReason?: string;
  day: string;
  dailyLimit: number;
  warmupLimitToday: number;
  firstSendDay?: string;
}

export interface LinkedInAccount {
  accountId: string;
  name?: string;
  dailyInvites?: number;
  weeklyInvites?: number;
  dailyMessages?: number;
  state?: 'ACTIVE' | 'PAUSED';
  pausedReason?: string;
}

/** A DNS/SES check in words: "pass", "fail", "not set", "unknown". */
export function checkWords(check: Check | undefined): string {
  return check === 'none' ? 'not set' : (check ?? 'unknown');
}

/** SES sending verification in words. */
export function sesWords(health: Pick<SenderHealth, 'sesIdentity' | 'sesVerifiedForSending'>): string {
  if (health.sesIdentity === null) return 'no SES identity found';
  if (health.sesVerifiedForSending === null) return `${health.sesIdentity}: unknown`;
  return `${health.sesIdentity}: ${health.sesVerifiedForSending ? 'verified for sending' : 'not verified'}`;
}
