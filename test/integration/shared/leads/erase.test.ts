import { gunzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpAdapter, startHttpAdapter } from '#local/http-adapter/server';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { documentClient } from '#shared/store/client';
import { getLead, listManualTasks, putCampaign } from '#shared/store/leads';
import { leadsForLinkedInProfile } from '#shared/store/linkedin-index';
import { leadHistory, listLeadMessages } from '#shared/store/outreach';
import { erasureKeyFor, getSuppression } from '#shared/store/suppressions';
import { TABLES } from '#shared/store/tables';
import { testCampaign } from '#test/support/fixtures';

/**
 * Erasure end to end: a lead runs through every channel of the embedded stack (an email that bounces, a
 * LinkedIn invitation still pending, a captcha-protected contact form that leaves a manual task), is erased
 * through the API, and then no table holds any of its personal values.
 */

const TOKEN = 'erase-test-token';
let stack: LocalStack;
let api: HttpAdapter;

const PERSON = {
  firstName: 'Zelphine',
  lastName: 'Quartermaine',
  email: 'bounce+zelphine.quartermaine@simulator.amazonses.com',
  company: 'Acme Widgets',
  website: 'https://zq-widgets-4711.example',
  contactFormUrl: 'https://zq-widgets-4711.example/contact-protected',
  linkedinUrl: 'https://www.linkedin.com/in/zelphine-quartermaine-4711',
  phone: '+1 555 0100 4711',
  leadScore: 0.9,
  budgetRange: '$48k-$52k',
  timelineMonths: 3,
  title: 'Chief Widget Officer',
};

const campaign = (campaignId: string, sequence: SequenceConfig) => testCampaign(campaignId, { sequence });

async function call(method: string, pathname: string, json?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(json !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Every string in an item, binary attributes as text (gunzipped when they are gzip: idempotency responses). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value);
    let text = bytes.toString('latin1');
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        text = gunzipSync(bytes).toString('utf8');
      } catch {
        // not gzip after all
      }
    }
    out.push(text);
  } else if (value instanceof Set) for (const entry of value) strings(entry, out);
  else if (Array.isArray(value)) for (const entry of value) strings(entry, out);
  else if (value && typeof value === 'object')
    for (const [key, entry] of Object.entries(value)) {
      out.push(key);
      strings(entry, out);
    }
  return out;
}

/** Every item of every table (the five tables, all pages), with the table it came from. */
async function scanEverything(): Promise<{ table: string; item: Record<string, unknown> }[]> {
  const all: { table: string; item: Record<string, unknown> }[] = [];
  for (const spec of Object.values(TABLES)) {
    const table = process.env[spec.envVar];
    if (!table) throw new Error(`${spec.envVar} is not set`);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) all.push({ table: spec.id, item });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return all;
}

async function waitForState(executionName: string, state: string): Promise<void> {
  const execution = stack.stepFunctions.get(executionName);
  if (!execution) throw new Error(`no execution ${executionName}`);
  for (let i = 0; i < 500; i++) {
    if (execution.events.some((event) => event.stateEnteredEventDetails?.name === state)) return;
    if (execution.status !== 'RUNNING') throw new Error(`${executionName} ended (${execution.status}) before ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${executionName} never entered ${state}`);
}

beforeAll(async () => {
  // Each Wait lasts 1 s of real time: long enough to erase a lead while its sequence waits.
  stack = await startLocalStack({ pauseMs: 1000 });
  api = await startHttpAdapter({ log: () => undefined });
  const noRetries = { maxRetries: 0, retryBackoffHours: [24] };
  await putCampaign(
    campaign(
      'erasure',
      SequenceConfig.parse({
        steps: [
          { channel: 'EMAIL', ...noRetries },
          { channel: 'LINKEDIN', ...noRetries },
          // The address bounced, which closed EMAIL for this run: this step is skipped without a Task call.
          { channel: 'EMAIL', ...noRetries },
          { channel: 'CONTACT_FORM', ...noRetries },
        ],
      }),
    ),
  );
  await putCampaign(
    campaign('erasure-running', SequenceConfig.parse({ steps: [{ channel: 'EMAIL', waitHoursBefore: 24 }] })),
  );
  await putCampaign(campaign('erasure-other', SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] })));
}, 60_000);

afterAll(async () => {
  await api?.close();
  await stack?.close();
});

describe('DELETE /v1/leads/{id}: erasure leaves no personal data in any table', () => {
  let leadId = '';
  let providerId = '';

  it('runs the lead through every channel first', async () => {
    // Prepare: the member has an invitation pending, so the LinkedIn step resolves (and indexes) the profile.
    stack.linkedin.seedProfile({ publicIdentifier: 'zelphine-quartermaine-4711', status: 'CONNECTION_REQUESTED' });
    const imported = await call('POST', '/v1/campaigns/erasure/leads', [PERSON], { 'idempotency-key': 'erase-1' });
    expect(imported.status).toBe(200);
    leadId = imported.body.leads[0].leadId;

    // Act
    const report = await launchBatch({ campaignId: 'erasure' });
    await stack.stepFunctions.drain();

    // Assess: every kind of item that can hold the person's data exists before the erasure.
    expect(report.started).toBe(1);
    expect(stack.stepFunctions.get(report.executions[0] ?? '')?.status).toBe('FAILED');
    const lead = await getLead(leadId);
    providerId = lead?.linkedinProviderId ?? '';
    expect(providerId).not.toBe('');
    const messages = await listLeadMessages(leadId);
    expect(messages.map((message) => message.channel).sort()).toEqual(['CONTACT_FORM', 'EMAIL']);
    expect(messages.find((message) => message.channel === 'EMAIL')?.status).toBe('BOUNCED');
    expect((await listManualTasks(leadId))[0]?.detail).toContain(PERSON.contactFormUrl);
    expect(await leadsForLinkedInProfile(providerId)).toEqual([{ leadId, campaignId: 'erasure' }]);
    const attempts = (await leadHistory(leadId, 50)).filter((entry) => entry.kind === 'attempt');
    expect(attempts.map((attempt) => attempt.channel).filter((channel) => channel === 'EMAIL')).toHaveLength(1);
    expect(await getSuppression(`EMAIL#${PERSON.email}`)).toMatchObject({ reason: 'bounce' });
    const before = (await scanEverything()).flatMap(({ item }) => strings(item)).join('\n');
    for (const value of [PERSON.email, PERSON.linkedinUrl, PERSON.contactFormUrl, PERSON.lastName, providerId])
      expect(before).toContain(value);
  });

  it('erases: no table holds a personal value afterwards, the hashed and lead suppressions stay', async () => {
    // Act
    const erased = await call('DELETE', `/v1/leads/${leadId}`);

    // Assess
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ leadId, erased: true, suppression: erasureKeyFor(PERSON.email) });
    const personal = [
      PERSON.firstName,
      PERSON.lastName,
      PERSON.email,
      PERSON.email.split('@')[0] ?? '',
      PERSON.linkedinUrl,
      'zelphine-quartermaine-4711',
      providerId,
      PERSON.website,
      new URL(PERSON.website).hostname,
      PERSON.contactFormUrl,
      PERSON.phone,
      PERSON.phone.replace(/[^+\d]/g, ''),
      PERSON.title,
      PERSON.budgetRange,
    ].map((value) => value.toLowerCase());
    const leaks: string[] = [];
    for (const { table, item } of await scanEverything()) {
      const text = strings(item).join('\n').toLowerCase();
      for (const value of personal)
        if (text.includes(value)) leaks.push(`${table} ${String(item.pk)} ${String(item.sk ?? '')}: "${value}"`);
    }
    expect(leaks).toEqual([]);
    expect(await leadsForLinkedInProfile(providerId)).toEqual([]);

    expect(await getSuppression(erasureKeyFor(PERSON.email))).toMatchObject({ reason: 'erased' });
    expect(await getSuppression(`LEAD#${leadId}`)).toMatchObject({ reason: 'erased' });
    const lead = await getLead(leadId);
    expect(lead).toMatchObject({ leadId, status: 'UNSUBSCRIBED', firstName: 'erased', company: PERSON.company });
    // Messages stay, without content, for metrics and history.
    const messages = await listLeadMessages(leadId);
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).toMatchObject({ body: '', erasedAt: expect.any(String) });
    expect(messages.find((message) => message.channel === 'EMAIL')?.status).toBe('BOUNCED');
  });

  it('refuses to import the address again, in any campaign; erasing twice changes nothing', async () => {
    // Act
    const again = await call('POST', '/v1/campaigns/erasure/leads', [{ ...PERSON, email: PERSON.email.toUpperCase() }]);
    const elsewhere = await call('POST', '/v1/campaigns/erasure-other/leads', [PERSON]);
    const twice = await call('DELETE', `/v1/leads/${leadId}`);

    // Assess
    for (const answer of [again, elsewhere]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ imported: 0, rejected: 1 });
      expect(answer.body.rejectedRows[0].reasons[0]).toContain('erased lead');
    }
    expect(twice.status).toBe(200);
    expect(twice.body.suppression).toBe(erasureKeyFor(PERSON.email));
  });

  it('answers 404 for a lead that does not exist', async () => {
    // Act
    const missing = await call('DELETE', '/v1/leads/lead_does_not_exist');

    // Assess
    expect(missing.status).toBe(404);
  });
});

describe('erasing a lead in a sequence', () => {
  it('stops its running execution: nothing is sent', async () => {
    // Prepare: the only step waits 24 h before sending.
    const imported = await call('POST', '/v1/campaigns/erasure-running/leads', [
      { firstName: 'Ygritte', lastName: 'Runningwater', email: 'ygritte@running-4711.example', leadScore: 0.9 },
    ]);
    const leadId: string = imported.body.leads[0].leadId;
    const report = await launchBatch({ campaignId: 'erasure-running' });
    const executionName = report.executions[0] ?? '';
    await waitForState(executionName, 'Wait Before Step');
    expect((await getLead(leadId))?.status).toBe('IN_SEQUENCE');

    // Act
    const erased = await call('DELETE', `/v1/leads/${leadId}`);
    const execution = stack.stepFunctions.get(executionName);
    await execution?.done;

    // Assess
    expect(erased.body.stoppedExecution).toBe(executionName);
    expect(execution?.status).toBe('ABORTED');
    expect(await listLeadMessages(leadId)).toEqual([]);
    expect(await getLead(leadId)).toMatchObject({ status: 'UNSUBSCRIBED', firstName: 'erased' });
    expect((await getLead(leadId))?.email).toBeUndefined();
  });
});
