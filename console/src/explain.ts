import type { AttemptEntry, Lead, ManualTask } from './components/lead-types';
import { formatTimestamp } from './format';

/**
 * The lead page's "Why" panel in plain words: why the lead was or was not reached, and what an operator can do
 * about it. Pure (no API, no DOM) so the wording is unit-tested; the page turns actions into buttons.
 */

/** What a reason code means, and (when an operator can help) what to do. */
interface ReasonWords {
  means: string;
  fix?: string;
}

const CHANNEL_WORDS: Record<string, string> = {
  EMAIL: 'email',
  LINKEDIN: 'LinkedIn',
  CONTACT_FORM: 'the contact form',
  PHONE: 'phone',
};

export const channelWords = (channel: string | undefined): string =>
  channel ? (CHANNEL_WORDS[channel] ?? channel) : 'any channel';

const REASONS: Record<string, ReasonWords> = {
  missing_address: {
    means: 'the lead has no address for this channel',
    fix: 'Add the missing address (email, LinkedIn URL or contact-form URL) to the lead in your source and import it into a campaign again.',
  },
  invalid_address: {
    means: 'the address is not usable (for example a domain without a top-level domain)',
    fix: 'Correct the address in your source and import the lead again.',
  },
  suppressed: {
    means: 'the address or its domain is on the do-not-contact list',
    fix: 'If that is a mistake, remove the entry on the Suppressions page; otherwise nothing to do.',
  },
  bounce: {
    means: 'the email bounced: the mailbox does not accept mail',
    fix: 'Find a working address for the lead, or reach them on another channel.',
  },
  complaint: { means: 'the lead marked a message as spam: never contact them again' },
  unsubscribed: { means: 'the lead unsubscribed: never contact them again' },
  replied: { means: 'the lead replied: the sequence stopped so a person can answer' },
  no_profile: { means: 'the lead has no LinkedIn profile', fix: 'Add the lead’s LinkedIn URL in your source.' },
  linkedin_blocked: { means: 'the LinkedIn profile blocks invitations or messages' },
  invite_pending: { means: 'the LinkedIn invitation is still waiting to be accepted' },
  form_unreachable: {
    means: 'the contact-form page could not be loaded',
    fix: 'Check the lead’s contact-form URL and correct it in your source.',
  },
  form_rejected: { means: 'the website rejected the contact-form submission' },
  form_spam_protected: {
    means: 'the contact form is protected by a captcha, which Cascade never bypasses',
    fix: 'Submit the form by hand (there is a task for it on the Tasks page).',
  },
  content_too_long: {
    means: 'the message is too long for this channel',
    fix: 'Shorten the step’s template in the campaign’s sequence.',
  },
  rate_limited: { means: 'a sending limit was reached: the step waits for the limit window, without using a retry' },
  provider_throttled: { means: 'the provider asked Cascade to slow down: the step is tried again later' },
  provider_error: { means: 'the provider failed: the step is tried again later' },
  provider_misconfigured: {
    means: 'the channel’s provider settings cannot be used',
    fix: 'Fix the channel’s configuration (cascade config set), then resume the lead.',
  },
  ambiguous_send: {
    means: 'a send was interrupted and nobody can tell whether the message went out',
    fix: 'Check the provider (for example the mailbox’s sent folder), then release the lead as sent or as not sent.',
  },
  retry_exhausted: { means: 'the step failed on every retry' },
  template_error: {
    means: 'a template could not be filled for this lead',
    fix: 'Fix the template in the campaign’s sequence (or the lead data it uses); the lead stays parked: contact it by hand once fixed.',
  },
  campaign_inactive: { means: 'the campaign is paused or archived', fix: 'Resume the campaign.' },
  lead_paused: { means: 'an operator paused the lead', fix: 'Resume the lead when it should go on.' },
  max_attempts_reached: { means: 'the lead had the most touches a lead may get' },
  sequence_timeout: { means: 'the sequence ran past its time limit' },
  superseded: { means: 'a newer run of this lead took over' },
  not_connected: {
    means: 'a LinkedIn message step needs a connection the lead does not have',
    fix: 'Add an invitation step before the message step.',
  },
  already_connected: { means: 'the lead is already a LinkedIn connection' },
  in_other_campaign: {
    means: 'the person is already in another campaign’s running sequence',
    fix: 'Wait for that sequence to end, then launch a batch again.',
  },
  company_replied: { means: 'a colleague at the same company replied, so the sequence stopped' },
  invite_timeout: { means: 'the LinkedIn invitation was not accepted in time' },
  task_timeout: { means: 'a manual task was not completed in time' },
  task_skipped: { means: 'an operator skipped the manual task' },
  manual_task_created: { means: 'a manual task was created for an operator' },
  channel_disabled: { means: 'the channel is turned off', fix: 'Turn the channel on (cascade config set).' },
  outside_window: { means: 'the lead’s send window is closed (evening, weekend or public holiday)' },
  out_of_office: { means: 'the lead is out of office (auto-reply)' },
  sender_paused: {
    means: 'the lead’s sender is paused (its health, or an operator)',
    fix: 'Check the sender on the Senders page and resume it when its health is fixed.',
  },
};

/** A reason code in plain words (an unknown code is shown as is). */
export function reasonWords(reason: string | undefined): string {
  if (!reason) return '';
  return REASONS[reason]?.means ?? reason.replaceAll('_', ' ');
}

export type WhyAction =
  | { kind: 'resume'; label: 'Resume' }
  | { kind: 'pause'; label: 'Pause' }
  | { kind: 'release'; decision: 'sent' | 'not_sent'; label: 'Release as sent' | 'Release as not sent' }
  | { kind: 'resume-campaign'; label: 'Resume campaign' }
  | { kind: 'task'; taskId: string; outcome: 'done' | 'skipped'; label: string };

export interface Why {
  /** Was the lead reached: yes, no, or not yet known (still running). */
  reached: 'yes' | 'no' | 'not yet';
  /** One sentence: where the lead is and why. */
  headline: string;
  /** Supporting facts: the last try, open tasks, times. */
  details: string[];
  /** What to do, in plain words (empty: nothing to do). */
  todo: string[];
  actions: WhyAction[];
}

export interface WhyInput {
  lead: Lead;
  /** The newest attempt of the lead's history. */
  lastAttempt?: AttemptEntry;
  /** The newest attempt that was SENT (the touch that reached the lead). */
  lastSent?: AttemptEntry;
  openTasks: ManualTask[];
  campaignState?: string;
  /** Formats an ISO time for people; the page passes the browser's locale. */
  formatTime?: (iso: string) => string;
}

/** Times in UTC, as every console page shows them (unambiguous on any operator's screen). */
const defaultFormat = formatTimestamp;

/** Explains a lead: the page's "Why" panel. */
export function explainLead(input: WhyInput): Why {
  const why = byStatus(input);
  why.details.push(...attemptDetails(input), ...taskDetails(input));
  for (const task of input.openTasks) {
    why.actions.push({ kind: 'task', taskId: task.taskId, outcome: 'done', label: 'Done' });
    why.actions.push({ kind: 'task', taskId: task.taskId, outcome: 'skipped', label: 'Skip' });
  }
  if (input.openTasks.length > 0) why.todo.push('Do the open task, then mark it Done (or Skip it).');
  return why;
}

function byStatus(input: WhyInput): Why {
  const { lead } = input;
  const format = input.formatTime ?? defaultFormat;
  const sent = input.lastSent;
  const reachedOn = sent ? ` by ${channelWords(sent.channel)} on ${format(sent.updatedAt)}` : '';
  const stop = reasonWords(lead.stopReason);
  const why = (reached: Why['reached'], headline: string, todo: string[] = [], actions: WhyAction[] = []): Why => ({
    reached,
    headline,
    details: [],
    todo,
    actions,
  });
  switch (lead.status) {
    case 'NEW':
      if (lead.stopReason) return why('no', `Not contacted yet: ${stop}.`, fixFor(lead.stopReason));
      return why('not yet', 'Not contacted yet: the lead waits for the campaign to launch a batch.', [
        'Launch a batch of the campaign’s new leads (cascade batch run).',
      ]);
    case 'IN_SEQUENCE':
      return inSequence(input, format);
    case 'CONTACTED':
      return why('yes', `Reached${reachedOn}. The sequence is over; a reply would show here.`);
    case 'REPLIED':
      return why('yes', `Reached${reachedOn}, and the lead replied.`, ['Answer the reply yourself.']);
    case 'UNSUBSCRIBED':
      return why(sent ? 'yes' : 'no', 'The lead unsubscribed: Cascade will never contact them again.');
    case 'BOUNCED':
      return why(
        'no',
        `Not reached: ${reasonWords(lead.stopReason ?? 'bounce')}.`,
        fixFor(lead.stopReason ?? 'bounce'),
      );
    case 'EXHAUSTED':
      return exhausted(input, format);
    case 'PAUSED':
      return paused(input, format);
  }
  return why('not yet', `The lead is ${String(lead.status)}.`);
}

function fixFor(reason: string | undefined): string[] {
  const fix = reason ? REASONS[reason]?.fix : undefined;
  return fix ? [fix] : [];
}

function inSequence(input: WhyInput, format: (iso: string) => string): Why {
  const attempt = input.lastAttempt;
  const pause: WhyAction[] = [{ kind: 'pause', label: 'Pause' }];
  const base = { reached: (input.lastSent ? 'yes' : 'not yet') as Why['reached'], details: [], actions: pause };
  if (attempt?.outcome === 'RETRY' && attempt.nextRetryAt) {
    const waiting = `${reasonWords(attempt.reason) || 'the step is tried again'}`;
    const when = format(attempt.nextRetryAt);
    const todo = attempt.reason === 'outside_window' ? [`Nothing: wait for the send window, which opens ${when}.`] : [];
    if (attempt.reason === 'sender_paused') todo.push(...fixFor('sender_paused'));
    return {
      ...base,
      headline: `In its sequence, waiting: ${waiting}. Next try on ${channelWords(attempt.channel)} at ${when}.`,
      todo: todo.length > 0 ? todo : [`Nothing: the next try is at ${when}.`],
    };
  }
  if (attempt?.state === 'PENDING')
    return { ...base, headline: `In its sequence: a try on ${channelWords(attempt.channel)} is under way.`, todo: [] };
  if (input.openTasks.length > 0)
    return { ...base, headline: 'In its sequence, waiting for an operator’s manual task.', todo: [] };
  return {
    ...base,
    headline: input.lastSent
      ? `In its sequence: reached by ${channelWords(input.lastSent.channel)}, waiting before the next step.`
      : 'In its sequence: waiting for its next step.',
    todo: [],
  };
}

function exhausted(input: WhyInput, format: (iso: string) => string): Why {
  const { lead } = input;
  if (input.lastSent)
    return {
      reached: 'yes',
      headline: `Reached by ${channelWords(input.lastSent.channel)} on ${format(input.lastSent.updatedAt)}; the sequence ended without a reply${lead.stopReason ? ` (${reasonWords(lead.stopReason)})` : ''}.`,
      details: [],
      todo: [],
      actions: [],
    };
  const last = input.lastAttempt;
  const reason = lead.stopReason ?? last?.reason;
  const lastWords = last ? ` The last try, on ${channelWords(last.channel)}, ended: ${reasonWords(last.reason)}.` : '';
  return {
    reached: 'no',
    headline: `Not reached: every channel of the sequence was tried${reason ? `, and ${reasonWords(reason)}` : ''}.${lastWords}`,
    details: [],
    todo: fixFor(last?.reason ?? reason),
    actions: [],
  };
}

function paused(input: WhyInput, format: (iso: string) => string): Why {
  const { lead } = input;
  const reached: Why['reached'] = input.lastSent ? 'yes' : 'no';
  const resume: WhyAction = { kind: 'resume', label: 'Resume' };
  const detail = lead.parkedDetail ? ` (${lead.parkedDetail})` : '';
  switch (lead.stopReason) {
    case 'ambiguous_send':
      return {
        reached: 'not yet',
        headline: `Parked: ${reasonWords('ambiguous_send')}.`,
        details: [],
        todo: fixFor('ambiguous_send'),
        actions: [
          { kind: 'release', decision: 'sent', label: 'Release as sent' },
          { kind: 'release', decision: 'not_sent', label: 'Release as not sent' },
        ],
      };
    case 'out_of_office': {
      const back = lead.resumeAt ? ` Cascade resumes it by itself on ${format(lead.resumeAt)}.` : '';
      return {
        reached,
        headline: `Paused: ${reasonWords('out_of_office')}.${back}`,
        details: [],
        todo: [`Nothing${lead.resumeAt ? ` before ${format(lead.resumeAt)}` : ''}; or Resume now to go on at once.`],
        actions: [resume],
      };
    }
    case 'campaign_inactive': {
      const campaignActive = input.campaignState === 'ACTIVE';
      return {
        reached,
        headline: `Paused: ${reasonWords('campaign_inactive')}.${detail}`,
        details: [],
        todo: campaignActive ? ['The campaign is active again: Resume the lead.'] : ['Resume the campaign.'],
        actions: campaignActive ? [resume] : [{ kind: 'resume-campaign', label: 'Resume campaign' }],
      };
    }
    case 'template_error':
      return {
        reached,
        headline: `Parked: ${reasonWords('template_error')}.${detail}`,
        details: [],
        todo: fixFor('template_error'),
        actions: [],
      };
    case undefined:
    case 'lead_paused':
      return {
        reached,
        headline: `Paused by an operator.${detail}`,
        details: [],
        todo: ['Resume the lead when it should go on.'],
        actions: [resume],
      };
    default:
      return {
        reached,
        headline: `Paused: ${reasonWords(lead.stopReason)}.${detail}`,
        details: [],
        todo: [...fixFor(lead.stopReason), 'Then Resume the lead.'],
        actions: [resume],
      };
  }
}

function attemptDetails(input: WhyInput): string[] {
  const attempt = input.lastAttempt;
  if (!attempt) return ['No try has been made yet.'];
  const format = input.formatTime ?? defaultFormat;
  const outcome = attempt.outcome ? OUTCOME_WORDS[attempt.outcome] : 'is under way';
  const reason = attempt.reason ? `: ${reasonWords(attempt.reason)}` : '';
  return [
    `Last try: step ${attempt.stepIndex + 1} on ${channelWords(attempt.channel)} (try ${attempt.tryNumber}) at ${format(attempt.createdAt)} ${outcome}${reason}.`,
  ];
}

const OUTCOME_WORDS: Record<string, string> = {
  SENT: 'was sent',
  RETRY: 'will be tried again',
  FALLBACK: 'could not reach the lead on that channel, so the sequence moved on',
  STOP: 'stopped the sequence',
};

function taskDetails(input: WhyInput): string[] {
  const format = input.formatTime ?? defaultFormat;
  return input.openTasks.map((task) => `Open task (due ${format(task.dueAt)}): ${task.instructions}`);
}
