import type { ProviderVerdict } from '../domain/outcome';
import type { Campaign, Lead } from '../domain/schemas';
import type { SendSchedule } from '../schedule/schema';
import { nextOpening, type Place, windowAt, zoneFor } from '../schedule/window';
import { nowMs } from '../time/clock';
import type { StepRun } from './step-run';

/**
 * When a touch may go out (PRODUCT.md §2 "When a touch may go out"): the campaign's schedule in the lead's zone,
 * without the public holidays of the lead's country. A campaign stored before schedules existed has none and sends
 * at any hour, as it did (the API gives every new campaign the default schedule).
 */
export const scheduleOf = (campaign: Pick<Campaign, 'schedule'>): SendSchedule | undefined => campaign.schedule;

export const placeOf = (schedule: SendSchedule, lead: Pick<Lead, 'timezone' | 'country'>): Place => ({
  zone: zoneFor(schedule, lead),
  ...(lead.country && { country: lead.country }),
});

/**
 * A send outside the lead's window waits for its next opening without using a retry: RETRY `outside_window`,
 * the exact wait (the service adds 0–15 random minutes, once, so a window's leads do not all go in its first
 * second). Manual work (PHONE) is not held back: its task is due at the opening instead (`taskDueAt`). An
 * operator's own message goes when the operator sends it.
 */
export function windowVerdict(run: StepRun): ProviderVerdict | undefined {
  const schedule = scheduleOf(run.campaign);
  if (!schedule || run.input.override || run.channel === 'PHONE') return undefined;
  const place = placeOf(schedule, run.lead);
  const now = nowMs();
  const state = windowAt(schedule, place, now);
  if (state.open) return undefined;
  const opens = new Date(state.opensAtMs).toISOString();
  const why = state.reason === 'holiday' ? `a public holiday (${state.holiday ?? place.country})` : state.reason;
  return {
    outcome: 'RETRY',
    reason: 'outside_window',
    retryAfterSeconds: Math.max(1, Math.ceil((state.opensAtMs - now) / 1000)),
    usesRetry: false,
    delivered: false,
    detail: `${why} in ${place.zone}; the window opens at ${opens}`,
  };
}

/** When a manual task of this lead is due: now inside the window, else its next opening. */
export function taskDueAt(campaign: Pick<Campaign, 'schedule'>, lead: Pick<Lead, 'timezone' | 'country'>): string {
  const schedule = scheduleOf(campaign);
  const now = nowMs();
  return new Date(schedule ? nextOpening(schedule, placeOf(schedule, lead), now) : now).toISOString();
}
