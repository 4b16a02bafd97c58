import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { contactFormAdapter } from '#shared/channels/contact-form/contact-form-adapter';
import { DEFAULT_SEQUENCE, type Lead } from '#shared/domain/schemas';
import { logger } from '#shared/observability';
import { OutreachNotAllowedError, startOperatorOutreach } from '#shared/outreach/operator-outreach';
import { runChannelStep } from '#shared/outreach/step-runner';
import { buildExecutionInput } from '#shared/outreach/task-input';
import { secretValue } from '#shared/secrets';
import { createLead, putCampaign } from '#shared/store/leads';
import { api, loadHandler, TEST_TOKEN } from '#test/integration/functions/api/gateway';
import { testCampaign, testLead } from '#test/support/fixtures';

let stack: LocalStack;
let trap: Server;
let trapConnections = 0;
let counter = 0;

const campaign = testCampaign('safety', { name: 'Safety' });

async function newLead(fields: Partial<Lead>): Promise<Lead> {
  counter++;
  const lead = testLead({ leadId: `safety-${counter}`, campaignId: 'safety', firstName: 'Sam', ...fields });
  await createLead(lead);
  return lead;
}

beforeAll(async () => {
  stack = await startLocalStack();
  await putCampaign(campaign);
  // A loopback "trap": any connection to it means the outbound guard let a private target through.
  trap = createServer((socket) => {
    trapConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => trap.close(() => resolve()));
  await stack.close();
});

describe('two operators sending to the same lead at once', () => {
  it('starts one execution; the other is refused and nothing is sent twice', async () => {
    // Prepare
    const lead = await newLead({ email: 'both-operators@acme.example' });

    // Act
    const results = await Promise.allSettled([
      startOperatorOutreach({
        leadId: lead.leadId,
        body: 'Hi {{ lead.firstName }}',
        forceChannel: 'EMAIL',
        requestKey: 'operator-a',
      }),
      startOperatorOutreach({
        leadId: lead.leadId,
        body: 'Hello {{ lead.firstName }}',
        forceChannel: 'EMAIL',
        requestKey: 'operator-b',
      }),
    ]);
    await stack.stepFunctions.drain();

    // Assess
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((result) => result.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(OutreachNotAllowedError);
    const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };
    expect(store.emails.filter((mail) => mail.destination.to.includes('both-operators@acme.example'))).toHaveLength(1);
  });
});

describe('the contact-form channel against private targets', () => {
  it.each([
    ['a literal loopback address', () => `http://127.0.0.1:${(trap.address() as AddressInfo).port}/contact`],
    ['a DNS name that resolves to loopback', () => `http://localhost:${(trap.address() as AddressInfo).port}/contact`],
    ['a decimal IPv4 spelling', () => `http://2130706433:${(trap.address() as AddressInfo).port}/contact`],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('refuses %s without a connection', async (_case, url) => {
    // Prepare
    const lead = await newLead({ contactFormUrl: url(), status: 'IN_SEQUENCE' });
    const step = buildExecutionInput('safety', lead.leadId, DEFAULT_SEQUENCE).sequence.steps[2];
    if (!step) throw new Error('the contact form is the third default step');
    const before = trapConnections;

    // Act
    const result = await runChannelStep(
      {
        campaignId: 'safety',
        leadId: lead.leadId,
        executionName: `exec-${lead.leadId}`,
        maxTotalAttemptsPerLead: 10,
        cursor: {
          stepIndex: 2,
          retriesUsed: 0,
          tryCount: 1,
          stepWaitDone: true,
          step,
          closedChannels: [],
          touched: false,
        },
      },
      contactFormAdapter,
    );

    // Assess
    expect(result.outcome).toBe('FALLBACK');
    expect(result.reason).toBe('form_unreachable');
    expect(trapConnections).toBe(before);
  });
});

describe('secrets', () => {
  it('never appear in API responses or in the logs', async () => {
    // Prepare: a channel config carrying a provider key, and a logger that writes where we can read.
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    logger.setLogLevel('DEBUG');
    const call = api(await loadHandler());
    try {
      // Act
      const put = await call({
        method: 'PUT',
        path: '/v1/channels/LINKEDIN/config?campaignId=safety',
        json: {
          rateLimits: { perHour: 5, perDay: 20 },
          settings: { apiKey: 'sk-live-SECRET-123', accountId: 'acct-1' },
        },
      });
      const got = await call({
        method: 'GET',
        path: '/v1/channels/LINKEDIN/config?campaignId=safety',
      });

      // Assess
      expect(put.status).toBe(200);
      expect(JSON.stringify(put.body)).not.toContain('sk-live-SECRET-123');
      expect(JSON.stringify(got.body)).not.toContain('sk-live-SECRET-123');
      expect(got.body.settings).toMatchObject({ apiKey: '[redacted]', accountId: 'acct-1' });
      // The logs were captured (the check below could fail), and hold no secret.
      logger.info('channel config changed', { channel: 'LINKEDIN' });
      expect(written.join('')).toContain('channel config changed');
      expect(written.join('')).not.toContain('sk-live-SECRET-123');
      expect(written.join('')).not.toContain(secretValue('CASCADE_UNSUBSCRIBE_SECRET') ?? 'never');
      expect(written.join('')).not.toContain(TEST_TOKEN);
    } finally {
      process.stdout.write = original;
      logger.setLogLevel('SILENT');
    }
  });
});
