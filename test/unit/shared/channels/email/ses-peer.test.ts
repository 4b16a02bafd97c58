import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sesLocal from 'aws-ses-v2-local';
import { addressParser } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamo } from '#local/dynamodb';
import { type SesSimulator, simulatedEvents, startSesSimulator } from '#local/ses-simulator';
import { emailAdapter } from '#shared/channels/email/ses-adapter';
import { messageTags } from '#shared/channels/email/ses-tags';
import type { Lead } from '#shared/domain/schemas';
import { DEFAULT_SEQUENCE } from '#shared/domain/schemas';
import type { StepContext } from '#shared/outreach/channel-adapter';
import { type RuntimeStep, toRuntimeSteps } from '#shared/outreach/task-input';
import { createLead } from '#shared/store/leads';
import { getMessage, putMessage } from '#shared/store/outreach';
import { handleSesEvent, type SesEventResult } from '#shared/tracking/ses-events';
import { testCampaign, testLead } from '#test/support/fixtures';
import { useLocalDynamo } from '#test/support/local-dynamo';

/**
 * The adapter against the local SES peer (aws-ses-v2-local behind the SES mailbox simulator, as the
 * embedded stack runs it): what the SendEmail call carried on the wire, and whether the SES events the
 * simulator publishes for it find their message again.
 */

/** aws-ses-v2-local is CommonJS with an `exports.default`; under ESM interop it may arrive one level deeper. */
const startSesServer = ((sesLocal.default as unknown as { default?: typeof sesLocal.default }).default ??
  sesLocal.default) as typeof sesLocal.default;

let dynamo: LocalDynamo;
let ses: Server;
let sesEndpoint: string;
let simulator: SesSimulator;
const applied: SesEventResult[] = [];

beforeAll(async () => {
  dynamo = await useLocalDynamo();
  ses = await startSesServer({ host: '127.0.0.1', port: 0 });
  sesEndpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  simulator = await startSesSimulator({
    sesEndpoint,
    // The handler EventBridge invokes in AWS, called directly.
    publish: async (event) => {
      applied.push(await handleSesEvent(event));
    },
  });
  // The adapter's SES client is created on first use, so it picks this endpoint up.
  process.env.AWS_ENDPOINT_URL_SESV2 = simulator.endpoint;
  delete process.env.CASCADE_SES_CONFIGURATION_SET;
}, 60_000);

afterAll(async () => {
  ses.closeAllConnections?.();
  await Promise.all([new Promise<void>((resolve) => ses.close(() => resolve())), simulator.close(), dynamo.close()]);
});

let counter = 0;

/** A stored lead and its PENDING message, and the step context the step runner would hand the adapter. */
async function pendingEmail(leadId: string, senderName: string): Promise<StepContext> {
  counter++;
  const campaign = testCampaign('peer', { sender: { name: senderName, email: 'ada@cascade-demo.example' } });
  const lead: Lead = testLead({ leadId, campaignId: 'peer', email: `lead${counter}@acme.example` });
  const messageId = `msg_peer${counter.toString().padStart(20, '0')}`;
  await createLead(lead);
  await putMessage({
    messageId,
    leadId,
    campaignId: 'peer',
    channel: 'EMAIL',
    status: 'PENDING',
    subject: 'Hello',
    body: 'Hi',
    executionName: `exec-${counter}`,
    attemptKey: `exec-${counter}#0#1`,
    createdAt: new Date().toISOString(),
  });
  return {
    lead,
    campaign,
    config: {
      channel: 'EMAIL',
      scope: 'ACCOUNT',
      enabled: true,
      rateLimits: { perHour: 10, perDay: 10 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24] },
      settings: { configurationSet: 'cascade-peer' },
    },
    messageId,
    attemptKey: `exec-${counter}#0#1`,
    content: { subject: 'Hello', text: 'Hi', html: '<p>Hi</p>' },
    unsubscribeUrl: 'https://u.example/v1/unsubscribe?token=t',
    step: toRuntimeSteps(DEFAULT_SEQUENCE)[0] as RuntimeStep,
  };
}

/** What the SES peer stored for a recipient: the From it received. */
async function storedFrom(recipient: string): Promise<string | undefined> {
  const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as {
    emails: { from: string; destination: { to: string[] } }[];
  };
  return store.emails.find((mail) => mail.destination.to.includes(recipient))?.from;
}

/** The tags of the events the simulator published for one recipient (as SES publishes them). */
function publishedTags(recipient: string): Record<string, string[]> {
  const event = simulator.published.find((published) => {
    const mail = (published.detail as { mail: { destination: string[] } }).mail;
    return mail.destination.includes(recipient);
  });
  return (event?.detail as { mail: { tags: Record<string, string[]> } } | undefined)?.mail.tags ?? {};
}

describe('the SES peer receives header-safe values', () => {
  it('gets a non-ASCII sender name as an RFC 2047 encoded-word that decodes back to it', async () => {
    // Prepare
    const context = await pendingEmail('lead_peer_1', 'José Núñez');
    const recipient = context.lead.email ?? '';

    // Act
    const result = await emailAdapter.send({ recipient }, context);

    // Assess
    expect(result.verdict).toMatchObject({ outcome: 'SENT', delivered: true });
    const from = await storedFrom(recipient);
    expect(from).toBe('=?UTF-8?B?Sm9zw6kgTsO6w7Fleg==?= <ada@cascade-demo.example>');
    expect(addressParser(from ?? '', { flatten: true })).toEqual([
      { name: 'José Núñez', address: 'ada@cascade-demo.example' },
    ]);
  });

  it('sends tags in SES’s alphabet, and the SES events still find a message whose lead id they had to alter', async () => {
    // Prepare: a lead id no Cascade path generates, but the store accepts.
    const leadId = 'lead.peer@2 ü';
    const context = await pendingEmail(leadId, 'Ada Lovelace');
    const recipient = context.lead.email ?? '';

    // Act
    const result = await emailAdapter.send({ recipient }, context);

    // Assess
    expect(result.verdict).toMatchObject({ outcome: 'SENT' });
    const tags = publishedTags(recipient);
    for (const [name, [value]] of Object.entries(tags)) {
      if (name.startsWith('ses:')) continue;
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    }
    expect(tags.lead).toEqual(['lead_peer_2__']);
    expect(applied.filter((event) => event.messageId === context.messageId).map((event) => event.effect)).toEqual([
      'status',
      'status',
    ]);
    expect(await getMessage(leadId, context.messageId)).toMatchObject({ status: 'DELIVERED' });
  });

  it('matches through the reversible tag: the lossy lead tag alone finds nothing', async () => {
    // Prepare: a fresh message of such a lead, and its Send event with and without the reversible tag.
    const leadId = 'lead.peer@3 ü';
    const context = await pendingEmail(leadId, 'Ada Lovelace');
    const recipient = context.lead.email ?? '';
    const ids = { campaignId: 'peer', leadId, messageId: context.messageId };
    const tags = Object.fromEntries(messageTags(ids).map((tag) => [tag.Name ?? '', [tag.Value ?? '']]));
    const { lead_b64: _reversible, ...lossy } = tags;
    const mail = { recipient, from: 'ada@cascade-demo.example', subject: 'Hello' };
    const [lossySend] = simulatedEvents({ ...mail, sesMessageId: 'ses-peer-lossy', tags: lossy });
    const [exactSend] = simulatedEvents({ ...mail, sesMessageId: 'ses-peer-exact', tags });

    // Act
    const withoutReversible = await handleSesEvent(lossySend);
    const withReversible = await handleSesEvent(exactSend);

    // Assess
    expect(withoutReversible).toMatchObject({ effect: 'ignored' });
    expect(withReversible).toMatchObject({ effect: 'status', status: 'SENT', messageId: context.messageId });
    expect(await getMessage(leadId, context.messageId)).toMatchObject({ providerMessageId: 'ses-peer-exact' });
  });
});

describe('the SES peer keeps the headers each mail went out with', () => {
  it('lists Message-ID as SES stamps it and the custom headers (In-Reply-To, References) in the events', async () => {
    // Prepare: a follow-up answering an earlier mail.
    const context = await pendingEmail('lead_peer_4', 'Ada Lovelace');
    const recipient = context.lead.email ?? '';
    const thread = {
      subject: 'Re: Hello',
      inReplyTo: '<first-id@email.amazonses.com>',
      references: '<first-id@email.amazonses.com>',
    };

    // Act
    const result = await emailAdapter.send({ recipient, data: { thread } }, context);

    // Assess
    expect(result.verdict).toMatchObject({ outcome: 'SENT' });
    const event = simulator.published.find(
      (published) => (published.detail as { mail: { destination: string[] } }).mail.destination[0] === recipient,
    );
    const mail = (event?.detail as { mail?: { headers?: { name: string; value: string }[] } } | undefined)?.mail;
    const headers = mail?.headers;
    expect(headers).toEqual(
      expect.arrayContaining([
        { name: 'Message-ID', value: `<${result.verdict.providerMessageId}@email.amazonses.com>` },
        { name: 'Subject', value: 'Re: Hello' },
        { name: 'In-Reply-To', value: '<first-id@email.amazonses.com>' },
        { name: 'References', value: '<first-id@email.amazonses.com>' },
      ]),
    );
  });
});
