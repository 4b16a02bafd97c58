import { beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import type { DryRunEntry } from '#shared/outreach/dry-run';
import { launchBatch } from '#shared/outreach/launcher';
import { putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { listLeadMessages } from '#shared/store/outreach';
import { testCampaign, testLead } from '#test/support/fixtures';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
  return () => stack.close();
}, 60_000);

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}

/** The mails the local SES accepted for one address. */
async function mailsTo(address: string): Promise<StoredMail[]> {
  const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((mail) => mail.destination.to.includes(address));
}

/** NEW leads of one campaign, reachable by email only, named by first name. */
async function seedLeads(campaignId: string, people: (Partial<Lead> & { firstName: string })[]): Promise<Lead[]> {
  const leads = people.map((person) =>
    testLead({
      leadId: `${campaignId}-${person.firstName.toLowerCase()}`,
      campaignId,
      email: `${person.firstName.toLowerCase()}@${campaignId}.example`,
      ...person,
    }),
  );
  for (const lead of leads) await createLead(lead);
  return leads;
}

const entryOf = (entries: DryRunEntry[] | undefined, lead: Lead | undefined) =>
  entries?.find((entry) => entry.leadId === lead?.leadId);

describe('the batch dry run renders as a send would', () => {
  it("resolves the channel config's template when the campaign has none, as the mail then sent does", async () => {
    // Prepare: the campaign has no EMAIL template; its EMAIL channel config has one.
    const campaignId = 'dry-config';
    const sequence = SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] });
    await putCampaign(testCampaign(campaignId, { sequence, templates: {} }));
    await putChannelConfig({
      channel: 'EMAIL',
      scope: campaignId,
      enabled: true,
      rateLimits: { perHour: 50, perDay: 200 },
      retryPolicy: { maxRetries: 0, retryBackoffHours: [1] },
      template: { subject: 'CONFIG SUBJECT', body: 'Hello {{ lead.firstName }}, from the config.' },
      settings: {},
    });
    const [cy] = await seedLeads(campaignId, [{ firstName: 'Cy', company: 'Cyco' }]);

    // Act
    const preview = await launchBatch({ campaignId, dryRun: true });
    await launchBatch({ campaignId });
    await stack.stepFunctions.drain();

    // Assess
    const entry = entryOf(preview.dryRun, cy);
    expect(entry).toMatchObject({ firstChannel: 'EMAIL', subject: 'CONFIG SUBJECT', errors: [] });
    expect(entry?.steps).toEqual([
      { stepId: 'step-1', channel: 'EMAIL', subject: 'CONFIG SUBJECT', text: expect.stringContaining('Hello Cy') },
    ]);
    const mails = await mailsTo(cy?.email ?? '');
    expect(mails.map((mail) => mail.subject)).toEqual(['CONFIG SUBJECT']);
    expect(mails[0]?.body.text).toBe(entry?.text);
  });

  it("renders every step and every variant, the lead's own marked as the variant the send records", async () => {
    // Prepare: an A/B email, then a LinkedIn note and a call the email-only leads cannot get.
    const campaignId = 'dry-variants';
    const sequence = SequenceConfig.parse({
      steps: [
        {
          id: 'intro',
          channel: 'EMAIL',
          variants: [
            { id: 'short', subject: 'Short for {{ lead.firstName }}', body: 'Short note to {{ lead.firstName }}.' },
            { id: 'long', subject: 'Long for {{ lead.firstName }}', body: 'A longer note to {{ lead.firstName }}.' },
          ],
        },
        { id: 'note', channel: 'LINKEDIN' },
        { id: 'call', channel: 'PHONE' },
      ],
    });
    await putCampaign(testCampaign(campaignId, { sequence }));
    const leads = await seedLeads(
      campaignId,
      ['Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay'].map((firstName) => ({ firstName })),
    );

    // Act
    const preview = await launchBatch({ campaignId, dryRun: true });
    await launchBatch({ campaignId });
    await stack.stepFunctions.drain();

    // Assess
    expect(preview.dryRun).toHaveLength(leads.length);
    for (const lead of leads) {
      const entry = entryOf(preview.dryRun, lead);
      const [intro, note, call] = entry?.steps ?? [];
      expect(entry?.errors).toEqual([]);
      expect(intro?.variantId).toMatch(/^(short|long)$/);
      expect(intro?.variants).toEqual([
        expect.objectContaining({ variantId: 'short', subject: `Short for ${lead.firstName}` }),
        expect.objectContaining({ variantId: 'long', subject: `Long for ${lead.firstName}` }),
      ]);
      expect(intro?.variants?.filter((variant) => variant.chosen).map((variant) => variant.variantId)).toEqual([
        intro?.variantId,
      ]);
      expect(note).toMatchObject({ channel: 'LINKEDIN', skipped: 'no_contact_point', text: expect.any(String) });
      expect(call).toMatchObject({ channel: 'PHONE', skipped: 'no_contact_point' });
      expect(call?.text).toContain(`Hi ${lead.firstName}`);
      const [message] = await listLeadMessages(lead.leadId);
      expect(message?.variantId).toBe(intro?.variantId);
      expect((await mailsTo(lead.email ?? '')).map((mail) => mail.subject)).toEqual([intro?.subject]);
    }
  });

  it('lists a lead whose template cannot render with its error, and renders the others', async () => {
    // Prepare: the subject is the lead's company alone; Ben has none, so his subject renders empty.
    const campaignId = 'dry-errors';
    const sequence = SequenceConfig.parse({ steps: [{ id: 'intro', channel: 'EMAIL' }] });
    const templates = { EMAIL: { subject: '{{ lead.company }}', body: 'Hi {{ lead.firstName }}' } };
    await putCampaign(testCampaign(campaignId, { sequence, templates }));
    const [ann, ben] = await seedLeads(campaignId, [{ firstName: 'Ann', company: 'Annco' }, { firstName: 'Ben' }]);

    // Act
    const preview = await launchBatch({ campaignId, dryRun: true });

    // Assess
    expect(entryOf(preview.dryRun, ann)).toMatchObject({ subject: 'Annco', errors: [] });
    const benEntry = entryOf(preview.dryRun, ben);
    expect(benEntry?.errors).toEqual([
      { stepId: 'intro', channel: 'EMAIL', code: 'template_error', message: expect.stringContaining('subject') },
    ]);
    expect(benEntry).toMatchObject({ firstChannel: 'EMAIL', problem: benEntry?.errors[0]?.message });
    expect(benEntry?.subject).toBeUndefined();
  });

  it("reports a variant that cannot render on every lead, whether or not it is the lead's own", async () => {
    // Prepare: variant `typo` reads a variable no lead has.
    const campaignId = 'dry-variant-error';
    const sequence = SequenceConfig.parse({
      steps: [
        {
          id: 'intro',
          channel: 'EMAIL',
          variants: [
            { id: 'fine', subject: 'Hello {{ lead.firstName }}', body: 'Fine.' },
            { id: 'typo', subject: 'Hello {{ lead.compnay }}', body: 'Typo.' },
          ],
        },
      ],
    });
    await putCampaign(testCampaign(campaignId, { sequence }));
    const leads = await seedLeads(campaignId, [{ firstName: 'Ann' }, { firstName: 'Ben' }, { firstName: 'Cat' }]);

    // Act
    const preview = await launchBatch({ campaignId, dryRun: true });

    // Assess
    for (const lead of leads) {
      const entry = entryOf(preview.dryRun, lead);
      expect(entry?.errors).toEqual([
        expect.objectContaining({
          stepId: 'intro',
          variantId: 'typo',
          message: expect.stringContaining('lead.compnay'),
        }),
      ]);
      const fine = entry?.steps[0]?.variants?.find((variant) => variant.variantId === 'fine');
      expect(fine?.subject).toBe(`Hello ${lead.firstName}`);
    }
  });
});
