import { describe, expect, it } from 'vitest';
import type { AttemptEntry, Lead, ManualTask } from '../../../../console/src/components/lead-types';
import { explainLead, reasonWords } from '../../../../console/src/explain';

const at = (iso: string) => `[${iso}]`;

function lead(fields: Partial<Lead>): Lead {
  return {
    leadId: 'lead-1',
    campaignId: 'c-1',
    firstName: 'Ada',
    status: 'NEW',
    createdAt: '2026-01-05T09:00:00Z',
    updatedAt: '2026-01-05T09:00:00Z',
    ...fields,
  };
}

function attempt(fields: Partial<AttemptEntry>): AttemptEntry {
  return {
    kind: 'attempt',
    attemptKey: 'run#0#1',
    executionName: 'run',
    channel: 'EMAIL',
    stepIndex: 0,
    tryNumber: 1,
    state: 'DONE',
    createdAt: '2026-01-05T10:00:00Z',
    updatedAt: '2026-01-05T10:00:01Z',
    ...fields,
  };
}

describe('explainLead', () => {
  it('offers both releases for a lead parked on an ambiguous send, and no resume', () => {
    // Prepare
    const parked = lead({ status: 'PAUSED', stopReason: 'ambiguous_send', executionName: 'run' });
    // Act
    const why = explainLead({ lead: parked, openTasks: [], formatTime: at });
    // Assess
    expect(why.headline).toContain('nobody can tell whether the message went out');
    expect(why.actions.map((action) => action.label)).toEqual(['Release as sent', 'Release as not sent']);
    expect(why.todo.join(' ')).toMatch(/release the lead as sent or as not sent/);
  });

  it('says when the send window opens for a lead waiting on it', () => {
    // Prepare
    const waiting = attempt({ outcome: 'RETRY', reason: 'outside_window', nextRetryAt: '2026-01-06T08:03:00Z' });
    // Act
    const why = explainLead({
      lead: lead({ status: 'IN_SEQUENCE' }),
      lastAttempt: waiting,
      openTasks: [],
      formatTime: at,
    });
    // Assess
    expect(why.reached).toBe('not yet');
    expect(why.headline).toContain('send window is closed');
    expect(why.todo).toEqual(['Nothing: wait for the send window, which opens [2026-01-06T08:03:00Z].']);
    expect(why.actions.map((action) => action.kind)).toEqual(['pause']);
  });

  it('explains an exhausted lead that was never reached and how to fix its address', () => {
    // Prepare
    const last = attempt({ channel: 'CONTACT_FORM', stepIndex: 2, outcome: 'FALLBACK', reason: 'missing_address' });
    // Act
    const why = explainLead({ lead: lead({ status: 'EXHAUSTED' }), lastAttempt: last, openTasks: [], formatTime: at });
    // Assess
    expect(why.reached).toBe('no');
    expect(why.headline).toContain('every channel of the sequence was tried');
    expect(why.headline).toContain('the contact form');
    expect(why.todo.join(' ')).toContain('Add the missing address');
    expect(why.details[0]).toContain('step 3');
  });

  it('offers Resume for an operator pause and Resume campaign while the campaign is paused', () => {
    // Prepare
    const byOperator = lead({ status: 'PAUSED', stopReason: 'lead_paused' });
    const byCampaign = lead({ status: 'PAUSED', stopReason: 'campaign_inactive' });
    // Act
    const operator = explainLead({ lead: byOperator, openTasks: [] });
    const campaignPaused = explainLead({ lead: byCampaign, openTasks: [], campaignState: 'PAUSED' });
    const campaignActive = explainLead({ lead: byCampaign, openTasks: [], campaignState: 'ACTIVE' });
    // Assess
    expect(operator.actions).toEqual([{ kind: 'resume', label: 'Resume' }]);
    expect(campaignPaused.actions).toEqual([{ kind: 'resume-campaign', label: 'Resume campaign' }]);
    expect(campaignActive.actions).toEqual([{ kind: 'resume', label: 'Resume' }]);
  });

  it('says when an out-of-office lead resumes by itself', () => {
    // Prepare
    const away = lead({ status: 'PAUSED', stopReason: 'out_of_office', resumeAt: '2026-01-19T09:05:00Z' });
    // Act
    const why = explainLead({ lead: away, openTasks: [], formatTime: at });
    // Assess
    expect(why.headline).toContain('resumes it by itself on [2026-01-19T09:05:00Z]');
  });

  it('names the channel and time of the touch that reached a contacted lead', () => {
    // Prepare
    const sent = attempt({ channel: 'LINKEDIN', outcome: 'SENT', updatedAt: '2026-01-07T11:00:00Z' });
    // Act
    const why = explainLead({
      lead: lead({ status: 'CONTACTED' }),
      lastAttempt: sent,
      lastSent: sent,
      openTasks: [],
      formatTime: at,
    });
    // Assess
    expect(why.reached).toBe('yes');
    expect(why.headline).toBe(
      'Reached by LinkedIn on [2026-01-07T11:00:00Z]. The sequence is over; a reply would show here.',
    );
  });

  it('adds Done and Skip for each open task', () => {
    // Prepare
    const task: ManualTask = {
      taskId: 't-1',
      leadId: 'lead-1',
      campaignId: 'c-1',
      kind: 'call',
      status: 'OPEN',
      instructions: 'Call Ada',
      dueAt: '2026-01-06T10:00:00Z',
      createdAt: '2026-01-05T10:00:00Z',
    };
    // Act
    const why = explainLead({ lead: lead({ status: 'IN_SEQUENCE' }), openTasks: [task], formatTime: at });
    // Assess
    expect(why.actions.filter((action) => action.kind === 'task').map((action) => action.label)).toEqual([
      'Done',
      'Skip',
    ]);
    expect(why.details).toContain('Open task (due [2026-01-06T10:00:00Z]): Call Ada');
    expect(why.headline).toContain('manual task');
  });
});

describe('reasonWords', () => {
  it('words known codes and shows unknown ones readably', () => {
    expect(reasonWords('suppressed')).toContain('do-not-contact list');
    expect(reasonWords('some_new_code')).toBe('some new code');
  });
});
