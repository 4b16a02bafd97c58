import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SiteSandbox, startSiteSandbox } from '#local/site-sandbox/server';
import { contactFormAdapter } from '#shared/channels/contact-form/contact-form-adapter';
import type { Campaign, ChannelConfig, Lead } from '#shared/domain/schemas';
import { DEFAULT_SEQUENCE } from '#shared/domain/schemas';
import type { SendPlan, StepContext } from '#shared/outreach/channel-adapter';
import { type RuntimeStep, toRuntimeSteps } from '#shared/outreach/task-input';

let sandbox: SiteSandbox;

beforeAll(async () => {
  sandbox = await startSiteSandbox({ port: 0 });
  // As in the embedded stack: *.example sites live on loopback, which the local runtime allows.
  vi.stubEnv('CASCADE_CONNECT_TO', `*.example=${sandbox.url}`);
  vi.stubEnv('CASCADE_ALLOW_PRIVATE_NETWORK', '1');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await sandbox.close();
});
beforeEach(() => sandbox.clear());

/** Only what the contact-form adapter reads of a step's context. */
function context(lead: Partial<Lead>, settings: ChannelConfig['settings'] = {}): StepContext {
  const campaign = {
    campaignId: 'camp_1',
    sender: { name: 'Grace Hopper', email: 'grace@cascade.example', company: 'Cascade Labs' },
  } as Partial<Campaign>;
  const config = { channel: 'CONTACT_FORM', scope: 'ACCOUNT', settings } as Partial<ChannelConfig>;
  return {
    lead: { leadId: 'lead_1', campaignId: 'camp_1', firstName: 'Ada', ...lead } as Lead,
    campaign: campaign as Campaign,
    config: config as ChannelConfig,
    messageId: 'msg_1',
    step: toRuntimeSteps(DEFAULT_SEQUENCE)[2] as RuntimeStep,
    attemptKey: 'att_1',
    content: { subject: 'Hello', text: 'Hello Ada,\nshall we talk?' },
    unsubscribeUrl: 'https://cascade.example/unsubscribe',
  };
}

/** What the campaign's sender and message of `context` put in a contact form. */
const SENDER_FIELDS = { name: 'Grace Hopper', email: 'grace@cascade.example', message: 'Hello Ada,\nshall we talk?' };

async function planFor(ctx: StepContext): Promise<SendPlan> {
  const preparation = await contactFormAdapter.prepare(ctx);
  if (!('plan' in preparation)) throw new Error(`no plan: ${JSON.stringify(preparation.verdict)}`);
  return preparation.plan;
}

describe('contact-form adapter: consent policy', () => {
  it('by default leaves a required consent box to a person: SKIPPED with a manual task, nothing posted', async () => {
    // Prepare
    const ctx = context({ contactFormUrl: 'https://acme.example/contact-consent' });

    // Act
    const result = await contactFormAdapter.send(await planFor(ctx), ctx);

    // Assess
    expect(result.verdict).toMatchObject({ outcome: 'FALLBACK', reason: 'manual_task_created', delivered: false });
    expect(result.messageStatus).toBe('SKIPPED');
    expect(result.manualTask?.reason).toBe('form_consent_required');
    expect(result.manualTask?.detail).toContain('https://acme.example/contact-consent');
    expect(sandbox.submissions).toHaveLength(0);
    expect(sandbox.rejected).toHaveLength(0);
  });

  it('ticks it when the channel config says consentPolicy: tick_required', async () => {
    // Prepare
    const ctx = context({ contactFormUrl: 'https://acme.example/contact-consent' }, { consentPolicy: 'tick_required' });

    // Act
    const result = await contactFormAdapter.send(await planFor(ctx), ctx);

    // Assess
    expect(result.verdict).toMatchObject({ outcome: 'SENT', delivered: true });
    expect(result.leadUpdates?.contactFormLastSubmittedAt).toBeDefined();
    expect(sandbox.submissions.map((submission) => submission.fields)).toEqual([{ ...SENDER_FIELDS, gdpr: 'agreed' }]);
  });

  it('sends the demo form (/contact, optional acceptance box) under the default policy without ticking it', async () => {
    // Prepare
    const ctx = context({ contactFormUrl: 'https://acme.example/contact' });

    // Act
    const result = await contactFormAdapter.send(await planFor(ctx), ctx);

    // Assess
    expect(result.verdict.outcome).toBe('SENT');
    expect(sandbox.submissions[0]?.fields).not.toHaveProperty('acceptance-1');
  });

  it('a captcha form is SKIPPED with a form_spam_protected manual task and never posted', async () => {
    // Prepare
    const ctx = context({ contactFormUrl: 'https://acme.example/contact-protected' });

    // Act
    const result = await contactFormAdapter.send(await planFor(ctx), ctx);

    // Assess
    expect(result.verdict).toMatchObject({ outcome: 'FALLBACK', reason: 'form_spam_protected' });
    expect(result.messageStatus).toBe('SKIPPED');
    expect(result.manualTask?.reason).toBe('form_spam_protected');
    expect(sandbox.submissions).toHaveLength(0);
    expect(sandbox.rejected).toHaveLength(0);
  });
});

describe('contact-form adapter: finding the form', () => {
  it("uses the lead's contact_form_url as given", async () => {
    // Act
    const plan = await planFor(
      context({ contactFormUrl: 'https://acme.example/contact-honeypot', website: 'https://acme.example' }),
    );

    // Assess
    expect(plan.recipient).toBe('https://acme.example/contact-honeypot');
  });

  it('without one, finds the contact page from the company web site', async () => {
    // Act
    const plan = await planFor(context({ website: 'https://globex-foods.example' }));

    // Assess
    expect(plan.recipient).toBe('https://globex-foods.example/contact');
    expect(sandbox.submissions).toHaveLength(0);
  });

  it.each([
    ['no contact-form URL and no web site', {}],
    ['a web site that does not answer with a page', { website: 'https://globex-foods.example/no-such-site' }],
  ])('falls back with form_unreachable for %s', async (_label, lead) => {
    // Act
    const preparation = await contactFormAdapter.prepare(context(lead));

    // Assess
    expect(preparation).toMatchObject({
      verdict: { outcome: 'FALLBACK', reason: 'form_unreachable', delivered: false },
    });
  });
});
