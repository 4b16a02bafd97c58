import { describe, expect, it } from 'vitest';
import { classifyAutoReply } from '#shared/tracking/out-of-office/index';

const headers = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** How inbound mail is told apart from a person's answer (the corpus in out-of-office.test.ts goes further). */
describe('classifyAutoReply', () => {
  it.each([
    ['Auto-Submitted: auto-replied', headers({ 'auto-submitted': 'auto-replied' }), 'Re: hello'],
    ['Auto-Submitted with surrounding space and capitals', headers({ 'auto-submitted': ' Auto-Generated ' }), 'x'],
    ['X-Autoreply', headers({ 'x-autoreply': 'yes' }), 'Re: hello'],
    ['Precedence: auto_reply', headers({ precedence: 'auto_reply' }), 'Re: hello'],
    ['an out-of-office subject', headers({}), 'Out of Office: back Monday'],
    ['a German absence subject', headers({}), 'Abwesenheit bis 2.12.'],
  ])('%s is an auto-reply', (_name, mailHeaders, subject) => {
    // Act / Assess
    expect(classifyAutoReply({ headers: mailHeaders, subject }).kind).not.toBe('not_auto_reply');
  });

  it.each([
    ['Auto-Submitted: no', headers({ 'auto-submitted': 'no' }), 'Re: hello'],
    ['a person replying about an office move', headers({}), 'Re: our new office'],
  ])('%s is a person', (_name, mailHeaders, subject) => {
    // Act / Assess
    expect(classifyAutoReply({ headers: mailHeaders, subject }).kind).toBe('not_auto_reply');
  });
});
