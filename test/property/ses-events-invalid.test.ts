import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { LocalDynamo } from '#local/dynamodb';
import { createLead } from '#shared/store/leads';
import { putMessage } from '#shared/store/outreach';
import { handleSesEvent } from '#shared/tracking/ses-events';
import { coversField, nastyStrings, runs, TableBaseline, Tally, unicodeText, wrongType } from '#test/property/harness';
import { useLocalDynamo } from '#test/support/local-dynamo';

/**
 * SES events reach `handleSesEvent` from EventBridge, not over HTTP: an event that is not an SES event in
 * its EventBridge envelope must throw a validation error (zod) naming the field — which EventBridge
 * retries and then dead-letters — and must leave every table exactly as it was. The events are built
 * from the real fixtures, addressed to a message that exists, then broken one field at a time.
 */

let dynamo: LocalDynamo;
const tables = new TableBaseline();
const tally = new Tally();

const LEAD_ID = 'lead_prop_ses';
const MESSAGE_ID = 'msg_prop_ses';
const SES_ID = '0100-prop-ses-1';
const FIXTURES = ['bounce-permanent', 'click', 'complaint', 'delivery-delay', 'delivery', 'open'] as const;

function fixture(name: (typeof FIXTURES)[number]): Record<string, unknown> {
  const event = JSON.parse(readFileSync(`test/fixtures/ses-events/${name}.json`, 'utf8'));
  event.detail.mail.messageId = SES_ID;
  event.detail.mail.destination = ['zoë@prop-ses.example'];
  event.detail.mail.tags = { ...event.detail.mail.tags, lead: [LEAD_ID], message: [MESSAGE_ID] };
  return event;
}

beforeAll(async () => {
  dynamo = await useLocalDynamo();
  await createLead({
    leadId: LEAD_ID,
    campaignId: 'ses',
    firstName: 'Zoë',
    email: 'zoë@prop-ses.example',
    leadScore: 0.9,
    painPoints: [],
    tags: [],
    status: 'IN_SEQUENCE',
    grade: 'A',
    gradeReasons: [],
    conversionProbability: 0.6,
    linkedinConnectionStatus: 'NOT_CONNECTED',
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
  });
  await putMessage({
    messageId: MESSAGE_ID,
    leadId: LEAD_ID,
    campaignId: 'ses',
    channel: 'EMAIL',
    status: 'SENT',
    body: 'Hallo Zoë',
    executionName: 'exec-prop-ses',
    attemptKey: 'exec-prop-ses#0#1',
    providerMessageId: SES_ID,
    createdAt: '2026-11-20T10:15:29.000Z',
  });
  await tables.record();
}, 60_000);

afterAll(async () => {
  console.info(tally.report('SES events', false));
  await dynamo?.close();
});

type Ev = Record<string, unknown>;
type Mutation = { kind: string; field: string; apply: (event: Ev) => unknown };
// biome-ignore lint/suspicious/noExplicitAny: the mutations reach into an untyped JSON event
const at = (event: Record<string, unknown>): any => event;

/** The event with `patch` merged into its `detail`. */
const withDetail = (event: Ev, patch: Ev): Ev => ({ ...event, detail: { ...at(event).detail, ...patch } });

/** A mutation that sets the field `name` of the event's `detail.mail` to each generated value. */
const mailField = (name: string, values: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> =>
  values.map((value) => ({
    kind: `detail.mail.${name}`,
    field: `detail.mail.${name}`,
    apply: (event: Ev) => withDetail(event, { mail: { ...at(event).detail.mail, [name]: value } }),
  }));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .oneof(wrongType('object'), fc.constant(null))
    .map((value) => ({ kind: 'not an object', field: '', apply: () => value })),
  fc
    .oneof(
      unicodeText({ maxLength: 12 }),
      nastyStrings,
      fc.constantFrom('aws.sns', 'AWS.SES', 'aws.ses ', 'aws.events'),
    )
    .filter((source) => source !== 'aws.ses')
    .map((source) => ({ kind: 'source', field: 'source', apply: (event: Ev) => ({ ...event, source }) })),
  fc.constantFrom('detail-type', 'time', 'detail', 'source').map((key) => ({
    kind: `${key} missing`,
    field: key,
    apply: (event: Ev) => {
      const { [key]: _gone, ...rest } = event;
      return rest;
    },
  })),
  fc
    .tuple(fc.constantFrom('detail-type', 'time'), wrongType('string'))
    .map(([key, value]) => ({ kind: `${key} type`, field: key, apply: (event: Ev) => ({ ...event, [key]: value }) })),
  wrongType('object').map((detail) => ({
    kind: 'detail type',
    field: 'detail',
    apply: (event: Ev) => ({ ...event, detail }),
  })),
  wrongType('string').map((eventType) => ({
    kind: 'detail.eventType type',
    field: 'detail.eventType',
    apply: (event: Ev) => withDetail(event, { eventType }),
  })),
  fc.oneof(fc.constant(undefined), wrongType('object')).map((mail) => ({
    kind: 'detail.mail',
    field: 'detail.mail',
    apply: (event: Ev) => withDetail(event, { mail }),
  })),
  mailField('messageId', fc.oneof(fc.constant(undefined), wrongType('string'))),
  mailField(
    'destination',
    fc.oneof(
      unicodeText({ maxLength: 20 }),
      fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), { minLength: 1, maxLength: 3 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
    ),
  ),
  mailField(
    'tags',
    fc.oneof(
      fc
        .tuple(unicodeText({ minLength: 1, maxLength: 8 }), unicodeText({ maxLength: 10 }))
        .map(([k, v]) => ({ [k]: v })),
      fc.array(fc.string(), { maxLength: 3 }),
      unicodeText({ maxLength: 10 }),
      fc.constant({ lead: LEAD_ID, message: [MESSAGE_ID] }),
      fc.constant({ lead: [LEAD_ID, 7], message: [MESSAGE_ID] }),
    ),
  ),
  fc.oneof(wrongType('object'), fc.constant({ bounceSubType: 'General' })).map((bounce) => ({
    kind: 'detail.bounce',
    field: 'detail.bounce',
    apply: (event: Ev) => withDetail(event, { eventType: 'Bounce', bounce }),
  })),
  fc
    .tuple(fc.constantFrom('complaint', 'delivery', 'open', 'click', 'deliveryDelay'), wrongType('object'))
    .map(([key, value]) => ({
      kind: `detail.${key}`,
      field: `detail.${key}`,
      apply: (event: Ev) => withDetail(event, { [key]: value }),
    })),
  fc.tuple(fc.constantFrom('delivery', 'bounce', 'open', 'click'), wrongType('string')).map(([key, timestamp]) => ({
    kind: `detail.${key}.timestamp`,
    field: `detail.${key}`,
    apply: (event: Ev) => withDetail(event, { [key]: { bounceType: 'Permanent', timestamp } }),
  })),
);

describe('handleSesEvent with invalid events', () => {
  it('throws a validation error naming the field and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIXTURES), mutation, async (name, { kind, field, apply }) => {
        const event = JSON.parse(JSON.stringify(apply(fixture(name)) ?? null));
        let thrown: unknown;
        try {
          await handleSesEvent(event);
        } catch (error) {
          thrown = error;
        }
        tally.count(`SES ${kind}`);
        expect(thrown, `${name} ${kind}: must throw`).toBeInstanceOf(ZodError);
        const details = (thrown as ZodError).issues.map((issue) => ({
          field: issue.path.map(String).join('.'),
          message: issue.message,
        }));
        expect(
          field === '' ? details.some((detail) => detail.field === '') : coversField(details, field),
          `${name} ${kind}: ${JSON.stringify(details)} name ${field || 'the event'}`,
        ).toBe(true);
        (await tables.compare())(`${name} ${kind}`);
      }),
      runs(120),
    );
  });

  it('the fixtures themselves are valid and reach the seeded message (the mutations broke only one field)', async () => {
    const delivery = fixture('open');
    await expect(handleSesEvent(delivery)).resolves.toMatchObject({ eventType: 'Open', messageId: MESSAGE_ID });
  });

  it('tried at least 100 invalid events', () => {
    expect(tally.tried).toBeGreaterThanOrEqual(100);
  });
});
