import { describe, expect, it } from 'vitest';
import {
  callInstructions,
  formInstructions,
  formUrlFor,
  otherInstructions,
  taskKindFor,
} from '#shared/outreach/task-instructions';
import { testCampaign, testLead } from '#test/support/fixtures';

const LEAD = testLead({
  leadId: 'lead-1',
  campaignId: 'c',
  firstName: 'Ada',
  lastName: 'Byron',
  title: 'CTO',
  company: 'Analytical Engines',
  phone: '+44 20 7946 0000',
  timezone: 'Europe/London',
  website: 'https://engines.example',
});

describe('task instructions', () => {
  it('a call names the person, company and number, carries the script and what to record', () => {
    // Act
    const text = callInstructions(LEAD, 'Hi Ada, this is Grace from Cascade.\n');

    // Assess
    expect(text.split('\n')[0]).toBe('Call Ada Byron (CTO) at Analytical Engines on +44 20 7946 0000.');
    expect(text).toContain('Their time zone: Europe/London.');
    expect(text).toContain('Script:\nHi Ada, this is Grace from Cascade.');
    expect(text).toMatch(/record the outcome: done .*replied .*skipped/);
  });

  it('a call without a script or number still says whom to call', () => {
    // Act
    const text = callInstructions(testLead({ leadId: 'l', campaignId: 'c', firstName: 'Pat' }), undefined);

    // Assess
    expect(text.split('\n')[0]).toBe('Call Pat on their phone number (none on file).');
    expect(text).not.toContain('Script:');
  });

  it('a form names the page, why it is manual, each field to fill and the message', () => {
    // Prepare
    const campaign = testCampaign('c', {
      sender: { name: 'Grace', email: 'grace@cascade.example', replyTo: 'replies@cascade.example', company: 'Cascade' },
    });

    // Act
    const text = formInstructions(campaign, 'https://engines.example/contact', 'protected by recaptcha', {
      subject: 'Partnership enquiry',
      body: 'Hello Analytical Engines,\nCould we talk?',
    });

    // Assess
    expect(text).toContain('Send the contact form at https://engines.example/contact by hand.');
    expect(text).toContain('Why by hand: protected by recaptcha.');
    expect(text).toContain(
      'Fill in:\n  Name: Grace\n  Email: replies@cascade.example\n  Company: Cascade\n  Subject: Partnership enquiry',
    );
    expect(text).not.toContain('Phone:');
    expect(text).toContain('Message:\nHello Analytical Engines,\nCould we talk?');
  });

  it("finds the form's page at the end of the adapter's detail, else the lead's addresses", () => {
    // Act + Assess
    expect(formUrlFor(LEAD, 'submit by hand (recaptcha): https://engines.example/contact?x=1')).toBe(
      'https://engines.example/contact?x=1',
    );
    expect(formUrlFor(LEAD, 'consent box')).toBe('https://engines.example');
    expect(formUrlFor({ ...LEAD, contactFormUrl: 'https://engines.example/form' }, undefined)).toBe(
      'https://engines.example/form',
    );
  });

  it('kinds follow the channel; other steps say what the channel reported', () => {
    // Act + Assess
    expect([taskKindFor('PHONE'), taskKindFor('CONTACT_FORM'), taskKindFor('LINKEDIN'), taskKindFor('EMAIL')]).toEqual([
      'call',
      'form',
      'linkedin',
      'other',
    ]);
    expect(otherInstructions(LEAD, 'LINKEDIN', 'account disconnected')).toContain(
      'LINKEDIN step for Ada Byron to do by hand: account disconnected',
    );
  });
});
