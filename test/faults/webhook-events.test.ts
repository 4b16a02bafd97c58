import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '#local/eventbridge/rules';
import { type LocalStack, startLocalStack } from '#local/stack';
import { documentClient } from '#shared/aws/clients';
import { armFaults, disarmFaults, FAULT_POINTS, type FaultPoint } from '#shared/faults';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { launchBatch } from '#shared/outreach/launcher';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { tableName } from '#shared/store/tables';
import { createWebhook } from '#shared/webhooks/store';
import { testCampaign } from '../support/fixtures';
import { waitFor } from '../support/wait';

/**
 * Issue 16's property: whatever the interleaving of duplicate SES events, Step Functions retries and crashes at
 * the fault points, each fact yields exactly one event id, and every event reaches the webhook at least once
 * (the receiver refuses some first tries, so retries are part of the run too).
 */
const RUNS = Number(process.env.EVENT_PROPERTY_RUNS ?? 4);
const LEADS_PER_RUN = 12;

interface Arrival {
  id: string;
  body: string;
  answered: number;
}

let stack: LocalStack;
let receiver: { server: Server; origin: string; arrivals: Arrival[]; refuseFirstTry: (id: string) => boolean };
let refusalShare = 0;
let run = 0;

function startReceiver(): Promise<typeof receiver> {
  const arrivals: Arrival[] = [];
  const refused = new Map<string, boolean>();
  // Decided once per event id, so a refused first try is followed by an accepted retry.
  const refuseFirstTry = (id: string) => {
    if (!refused.has(id)) refused.set(id, Math.random() < refusalShare);
    return refused.get(id) === true;
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      const first = !arrivals.some((arrival) => arrival.id === id);
      const answered = first && refuseFirstTry(id) ? 500 : 200;
      arrivals.push({ id, body: Buffer.concat(chunks).toString('utf8'), answered });
      response.writeHead(answered).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}`, arrivals, refuseFirstTry });
    }),
  );
}

/** Leads that are emailed (delivered, bounced, complained), invited on LinkedIn, or reached through a form. */
async function seedRun(campaignId: string): Promise<void> {
  await putCampaign(testCampaign(campaignId, { minGrade: 'D' }));
  for (const channel of ['EMAIL', 'LINKEDIN', 'CONTACT_FORM'] as const)
    await putChannelConfig({
      channel,
      scope: campaignId,
      enabled: true,
      rateLimits: { perHour: 100_000, perDay: 100_000 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
      settings: channel === 'LINKEDIN' ? { minSpacingSeconds: 0, maxSpacingSeconds: 0, accountId: campaignId } : {},
    });
  const mailboxes = ['success', 'bounce', 'complaint'];
  for (let index = 0; index < LEADS_PER_RUN; index++) {
    const tag = `${campaignId}-${index}`;
    const kind = index % 4;
    const input = LeadInput.parse({
      firstName: `Lead${index}`,
      leadScore: 0.9,
      ...(kind === 0 && { email: `${mailboxes[index % 3]}+${tag}@simulator.amazonses.com` }),
      ...(kind === 1 && { email: `${tag}@mail-${tag}.example` }),
      ...(kind === 2 && {
        linkedinUrl: `https://www.linkedin.com/in/member-${tag}`,
        linkedinStatus: 'CONNECTED',
      }),
      ...(kind === 3 && { contactFormUrl: `https://site-${tag}.example/contact` }),
    });
    await createLead(leadFromInput(input, campaignId));
    if (kind === 2) stack.linkedin.seedProfile({ publicIdentifier: `member-${tag}`, status: 'CONNECTED' });
  }
}

/** The campaign's SES events, delivered again (`copies` times each, shuffled) as EventBridge may redeliver them. */
async function duplicateSesEvents(campaignId: string, copies: number, order: number[]): Promise<number> {
  const ofCampaign = stack.sesEvents.filter((event) => JSON.stringify(event).includes(campaignId));
  const redeliveries = ofCampaign.flatMap((event) => Array.from({ length: copies }, () => event));
  const shuffled = redeliveries.map((event, index) => ({ event, key: order[index % order.length] ?? index }));
  shuffled.sort((a, b) => a.key - b.key);
  await Promise.all(shuffled.map(({ event }) => stack.eventBridge.deliverAndSettle(event as unknown as EventEnvelope)));
  return redeliveries.length;
}

interface StoredEvent {
  id: string;
  type: string;
  campaignId: string;
  leadId?: string;
  data: Record<string, unknown>;
}

async function storedEvents(campaignId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName('outreach'),
        FilterExpression: '#kind = :event AND campaignId = :campaign',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':event': 'event', ':campaign': campaignId },
        ExclusiveStartKey,
      }),
    );
    events.push(...((page.Items ?? []) as StoredEvent[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return events;
}

/** What one fact is about: its type and the lead, message, task or sender it names. */
const factOf = (event: StoredEvent) =>
  [
    event.type,
    event.leadId,
    event.data.messageId,
    event.data.taskId,
    event.data.senderId,
    event.data.executionName,
  ].join('|');

beforeAll(async () => {
  process.env.CASCADE_FAULT_INJECTION = '1';
  receiver = await startReceiver();
  stack = await startLocalStack({ pauseMs: 1, trustedOrigins: [receiver.origin] });
  await putAccountLimits({ globalPerDay: 1_000_000, perDomainPerDay: 1_000, leadCooldownHours: 24 });
  await createWebhook({ url: `${receiver.origin}/events`, events: ['*'] });
}, 600_000);

afterAll(async () => {
  disarmFaults();
  delete process.env.CASCADE_FAULT_INJECTION;
  await stack?.close();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

describe('webhook events under duplicate SES events, retries and crashes', () => {
  it('each fact produces exactly one event id and at least one delivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          probability: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
          points: fc.subarray([...FAULT_POINTS], { minLength: 1 }) as fc.Arbitrary<FaultPoint[]>,
          copies: fc.integer({ min: 1, max: 3 }),
          order: fc.array(fc.integer(), { minLength: 1, maxLength: 40 }),
          refusals: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        async ({ probability, points, copies, order, refusals }) => {
          // Prepare
          const campaignId = `events-${run++}`;
          refusalShare = refusals;
          await seedRun(campaignId);

          // Act: the batch under fire, SES events redelivered while it runs and again once it has ended.
          armFaults({ probability, points, timeoutShare: 0.2 });
          const report = await launchBatch({ campaignId });
          const running = stack.stepFunctions.drain();
          await duplicateSesEvents(campaignId, copies, order);
          await running;
          disarmFaults();
          await duplicateSesEvents(campaignId, copies, order);
          await stack.eventBridge.drain();
          const delivered = (id: string) => receiver.arrivals.some((each) => each.id === id && each.answered < 300);
          const events = await waitFor(
            async () => {
              const recorded = await storedEvents(campaignId);
              return recorded.every((event) => delivered(event.id)) ? recorded : undefined;
            },
            120_000,
            250,
          );

          // Assess
          expect(report.started).toBe(LEADS_PER_RUN);
          const idsByFact = new Map<string, Set<string>>();
          for (const event of events)
            idsByFact.set(factOf(event), (idsByFact.get(factOf(event)) ?? new Set()).add(event.id));
          for (const [fact, ids] of idsByFact) expect(ids.size, fact).toBe(1);
          // What the receiver got under one id is one body, however often it came.
          for (const event of events) {
            const bodies = new Set(receiver.arrivals.filter((each) => each.id === event.id).map((each) => each.body));
            expect(bodies.size, event.id).toBe(1);
          }
          // Every lead's sequence ended with one fact saying so.
          const sequencesCompleted = events.filter((event) => event.type === 'sequence.completed');
          expect(new Set(sequencesCompleted.map((event) => event.leadId)).size).toBe(LEADS_PER_RUN);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
