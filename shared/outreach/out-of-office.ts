import { DateTime } from 'luxon';
import type { Campaign, Lead } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { logger } from '../observability';
import { DEFAULT_SCHEDULE } from '../schedule/schema';
import { addBusinessDays, nextOpening } from '../schedule/window';
import { getCampaign, getLead, queryLeadsByStatus } from '../store/leads';
import { nowMs } from '../time/clock';
import { pauseLead, resumeLeadById } from './lead-steering';
import { placeOf, scheduleOf } from './send-window';

/**
 * Out of office (PRODUCT.md §2): an auto-reply saying the person is away pauses the lead (`PAUSED`,
 * `out_of_office`, `resumeAt`) instead of stopping it; its run stops where it was, and the sweep resumes it at
 * `resumeAt` from the step it had not sent, in the sequence version it started with (lead-steering.ts).
 */

/** Without a date in the reply the person is taken to be back in a week; a date further than 60 days is capped. */
export const DEFAULT_AWAY_DAYS = 7;
export const MAX_AWAY_DAYS = 60;

/**
 * When the sequence picks up: the first opening of the lead's send window on the first working day after the
 * return date (one business day to catch up on mail), the return date bounded to [today + 1, today + 60] days.
 */
export function resumeAtFor(
  campaign: Pick<Campaign, 'schedule'>,
  lead: Pick<Lead, 'timezone' | 'country'>,
  returnDate: string | undefined,
  atMs = nowMs(),
): string {
  // A campaign without its own schedule still counts working days by the default week.
  const schedule = scheduleOf(campaign) ?? DEFAULT_SCHEDULE;
  const place = placeOf(schedule, lead);
  const today = DateTime.fromMillis(atMs, { zone: place.zone }).startOf('day');
  const latest = today.plus({ days: MAX_AWAY_DAYS });
  const given = returnDate ? DateTime.fromISO(returnDate, { zone: place.zone }) : undefined;
  let back = given?.isValid ? given : today.plus({ days: DEFAULT_AWAY_DAYS });
  if (back > latest) back = latest;
  if (back <= today) back = today.plus({ days: 1 });
  const resumeDay = addBusinessDays(schedule, place, back.toISODate() ?? '', 1);
  const dayStart = DateTime.fromISO(resumeDay, { zone: place.zone }).startOf('day').toMillis();
  return new Date(nextOpening(schedule, place, dayStart)).toISOString();
}

export interface OutOfOfficeResult {
  leadId: string;
  /** Whether this reply paused the lead (a lead not in a sequence, or already paused, is only noted). */
  paused: boolean;
  resumeAt?: string;
  returnDate?: string;
}

/** Pauses a lead whose auto-reply says it is away, and records `lead.out_of_office` once per message answered. */
export async function pauseForOutOfOffice(
  leadId: string,
  reply: { messageId: string; returnDate?: string },
  stateMachineArn: string | undefined,
): Promise<OutOfOfficeResult> {
  const lead = await getLead(leadId);
  const campaign = lead && (await getCampaign(lead.campaignId));
  if (lead?.status === 'PAUSED' && lead.stopReason === 'out_of_office' && lead.resumeAt) {
    // Paused by this reply's earlier delivery, which may have died before its event: the same event again.
    await recordOutOfOffice(lead, reply, lead.resumeAt);
    return { leadId, paused: false };
  }
  if (!lead || !campaign || !stateMachineArn || (lead.status !== 'IN_SEQUENCE' && lead.status !== 'NEW'))
    return { leadId, paused: false };
  const resumeAt = resumeAtFor(campaign, lead, reply.returnDate);
  await pauseLead(leadId, stateMachineArn, { stopReason: 'out_of_office', resumeAt });
  await recordOutOfOffice(lead, reply, resumeAt);
  logger.info('lead out of office: paused', { leadId, resumeAt, returnDate: reply.returnDate });
  return { leadId, paused: true, resumeAt, ...(reply.returnDate && { returnDate: reply.returnDate }) };
}

/** `lead.out_of_office`, once per message answered: when the sequence picks up, and the date the reply gave. */
async function recordOutOfOffice(
  lead: Pick<Lead, 'leadId' | 'campaignId'>,
  reply: { messageId: string; returnDate?: string },
  resumeAt: string,
): Promise<void> {
  await recordDomainEvent({
    type: 'lead.out_of_office',
    factKey: `${lead.leadId}\n${reply.messageId}`,
    campaignId: lead.campaignId,
    leadId: lead.leadId,
    data: { messageId: reply.messageId, resumeAt, ...(reply.returnDate && { returnDate: reply.returnDate }) },
  });
}

export interface OutOfOfficeSweep {
  resumed: string[];
  /** Leads whose resume was refused (a send still in flight, a step no version has): tried again next sweep. */
  failed: { leadId: string; error: string }[];
}

/** Resumes every out-of-office lead of an active campaign whose `resumeAt` has come (the scheduled sweep). */
export async function resumeReturnedLeads(campaignId: string, stateMachineArn: string): Promise<OutOfOfficeSweep> {
  const sweep: OutOfOfficeSweep = { resumed: [], failed: [] };
  const now = nowMs();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryLeadsByStatus(campaignId, 'PAUSED', { startKey, limit: 100 });
    const due = page.leads.filter(
      (lead) => lead.stopReason === 'out_of_office' && lead.resumeAt !== undefined && Date.parse(lead.resumeAt) <= now,
    );
    for (const lead of due) {
      try {
        await resumeLeadById(lead.leadId, { stateMachineArn });
        sweep.resumed.push(lead.leadId);
      } catch (error) {
        sweep.failed.push({ leadId: lead.leadId, error: (error as Error).message });
      }
    }
    startKey = page.nextKey;
  } while (startKey);
  return sweep;
}
