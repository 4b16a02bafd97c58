import fc from 'fast-check';
import * as z from 'zod';
import { ChannelType } from '#shared/domain/schemas';
import { nastyStrings, unicodeText, wrongType } from '#test/property/harness';

/**
 * Generators of INVALID request bodies, one family per API body. Each case says which field it broke, so
 * the suite can check the answer's details name it. Every generator produces input the API must refuse:
 * values are filtered through the same rule the API applies (e.g. `z.email()`), never guessed.
 */
export interface InvalidCase {
  /** What was broken, for the tallies and failure messages. */
  kind: string;
  /** The detail field the answer must name (`sender.email`, `steps.0.channel`, `body`). */
  field: string;
  body: unknown;
}

const CHANNELS = ChannelType.options;

/** Text of more than `max` characters (code points, as zod counts them), mostly non-ASCII. */
export const tooLong = (max: number) =>
  fc
    .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.nat({ max: 30 }))
    .map(([chunk, extra]) => chunk.repeat(Math.ceil((max + 1 + extra) / [...chunk].length)));

const invalidEmail = fc
  .oneof(
    unicodeText({ maxLength: 40 }).filter((s) => !s.includes('@')),
    fc.constantFrom('a@b', 'bob@localhost', '@acme.example', 'a@@acme.example', 'ä@acme.example', 'a b@acme.example'),
    fc
      .tuple(unicodeText({ minLength: 1, maxLength: 8 }), unicodeText({ minLength: 1, maxLength: 8 }))
      .map(([local, domain]) => `${local}@${domain}`),
    nastyStrings,
  )
  .filter((value) => !z.email().safeParse(value).success);

const notOneOf = (allowed: readonly string[]) =>
  fc.oneof(unicodeText({ maxLength: 12 }), nastyStrings).filter((value) => !allowed.includes(value));

const negative = fc.oneof(fc.integer({ min: -1_000_000, max: -1 }), fc.double({ max: -0.001, noNaN: true }));
const fraction = fc
  .double({ min: 0.001, max: 1_000, noNaN: true, noDefaultInfinity: true })
  .filter((n) => !Number.isInteger(n));
/** Numbers a whole-number field must refuse: negative, fractional or beyond a safe integer. */
const badCount = fc.oneof(negative, fraction, fc.constantFrom(2 ** 53, 1e300));

/** Liquid that must not compile or render against a lead: unknown names, file tags, broken syntax. */
export const brokenTemplate = fc.oneof(
  fc
    .stringMatching(/^[a-z][A-Za-z0-9_]{0,12}$/)
    .filter((name) => !['firstName', 'lastName', 'fullName', 'company', 'email', 'title'].includes(name))
    .map((name) => `Hi {{ lead.${name}x }}`),
  fc.constantFrom(
    '{% include "secrets.txt" %}',
    '{% render "../../etc/passwd" %}',
    '{% layout "base" %}{% block a %}x{% endblock %}',
    '{{ process.env.HOME }}',
    '{{ env.AWS_SECRET_ACCESS_KEY }}',
    '{{ lead.firstName | shout }}',
    '{{ lead.firstName',
    '{% if lead.firstName %}open',
    '{% for x in lead.tags %}',
    '{% endif %}',
    '{{ constructor.constructor }}',
    '{{ lead.__proto__.polluted }}',
  ),
  unicodeText({ maxLength: 10 }).map((text) => `${text}{{ ${'lead.'}${'nope'} }}`),
);

// ---- campaigns

const VALID_SENDER = { name: 'Ada Lovelace', email: 'ada@cascade-demo.example', company: 'Cascade Demo Co' };

export function campaignBase(campaignId: string) {
  return { campaignId, name: `Campaign ${campaignId}`, sender: { ...VALID_SENDER } };
}

type SequenceMutation = { kind: string; field: string; sequence: unknown };

/** Beyond a year of hours (or days, for the timeout): within the type, beyond what a sequence may wait. */
const hugeDouble = (min: number) => fc.double({ min, max: 1e300, noNaN: true, noDefaultInfinity: true });

const sequenceMutations = (prefix: string): fc.Arbitrary<SequenceMutation> => {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  /** One EMAIL step whose `name` takes each generated value. */
  const badStep = (name: string, values: fc.Arbitrary<unknown>, kind = `step.${name}`) =>
    values.map((value) => ({
      kind,
      field: at(`steps.0.${name}`),
      sequence: { steps: [{ channel: 'EMAIL', [name]: value }] },
    }));
  /** A one-step sequence whose own field `name` takes each generated value. */
  const badSequence = (name: string, values: fc.Arbitrary<unknown>, kind = `sequence.${name}`) =>
    values.map((value) => ({ kind, field: at(name), sequence: { steps: [{ channel: 'EMAIL' }], [name]: value } }));
  return fc.oneof(
    fc.constant({ kind: 'sequence.steps empty', field: at('steps'), sequence: { steps: [] } }),
    wrongType('array').map((steps) => ({ kind: 'sequence.steps type', field: at('steps'), sequence: { steps } })),
    badStep('channel', notOneOf(CHANNELS)),
    badStep('waitHoursBefore', negative),
    badStep('maxRetries', fc.oneof(badCount, fc.integer({ min: 11, max: 1_000 }), wrongType('number'))),
    badStep(
      'retryBackoffHours',
      fc.oneof(
        fc.array(fc.oneof(negative, fc.constant(0)), { minLength: 1, maxLength: 3 }),
        fc.array(wrongType('number'), { minLength: 1, maxLength: 3 }),
      ),
    ),
    badStep('onRateLimit', notOneOf(['wait', 'fallback'])),
    badStep('confirmDeliveryMinutes', negative),
    badSequence('maxTotalAttemptsPerLead', fc.oneof(badCount, fc.constant(0))),
    badSequence('sequenceTimeoutDays', fc.oneof(negative, fc.constant(0), wrongType('number'))),
    fc.array(wrongType('object'), { minLength: 1, maxLength: 3 }).map((steps) => ({
      kind: 'sequence.steps items',
      field: at('steps.0'),
      sequence: { steps },
    })),
    // Within the types but beyond what a sequence can run or store.
    fc.integer({ min: 21, max: 2_000 }).map((count) => ({
      kind: 'sequence.steps too many',
      field: at('steps'),
      sequence: { steps: Array.from({ length: count }, (_, i) => ({ channel: CHANNELS[i % 4] })) },
    })),
    badStep('waitHoursBefore', hugeDouble(8_760.001), 'step.waitHoursBefore beyond a year'),
    badStep(
      'retryBackoffHours',
      fc.oneof(
        hugeDouble(8_760.001).map((hours) => [hours]),
        fc.integer({ min: 11, max: 5_000 }).map((count) => Array.from({ length: count }, () => 1)),
      ),
      'step.retryBackoffHours beyond bounds',
    ),
    badSequence('sequenceTimeoutDays', hugeDouble(365.001), 'sequence.sequenceTimeoutDays beyond a year'),
  );
};

/** PUT /v1/campaigns/{id}/sequence bodies. */
export const invalidSequence: fc.Arbitrary<InvalidCase> = fc.oneof(
  { weight: 5, arbitrary: sequenceMutations('').map(({ kind, field, sequence }) => ({ kind, field, body: sequence })) },
  { weight: 1, arbitrary: wrongType('object').map((body) => ({ kind: 'body type', field: 'body', body })) },
);

/** POST /v1/campaigns bodies (the campaign id is fixed by the suite, so nothing can be created by accident). */
export const invalidCampaign = (campaignId: string): fc.Arbitrary<InvalidCase> => {
  const base = campaignBase(campaignId);
  const withField = (kind: string, field: string, patch: Record<string, unknown>) => ({
    kind,
    field,
    body: { ...base, ...patch },
  });
  const withSender = (kind: string, field: string, patch: Record<string, unknown>) =>
    withField(kind, field, { sender: { ...VALID_SENDER, ...patch } });
  return fc.oneof(
    fc.constant({ kind: 'name missing', field: 'name', body: { campaignId, sender: base.sender } }),
    fc.oneof(fc.constant(''), tooLong(200), wrongType('string')).map((name) => withField('name', 'name', { name })),
    fc
      .oneof(
        fc.constant('ACCOUNT'),
        tooLong(64),
        unicodeText({ minLength: 1, maxLength: 20 }).filter((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id)),
        wrongType('string'),
      )
      .map((id) => withField('campaignId', 'campaignId', { campaignId: id })),
    fc.constant({ kind: 'sender missing', field: 'sender', body: { campaignId, name: 'x' } }),
    wrongType('object').map((sender) => withField('sender type', 'sender', { sender })),
    fc.oneof(fc.constant(''), wrongType('string')).map((name) => withSender('sender.name', 'sender.name', { name })),
    invalidEmail.map((email) => withSender('sender.email', 'sender.email', { email })),
    invalidEmail.map((replyTo) => withSender('sender.replyTo', 'sender.replyTo', { replyTo })),
    notOneOf(['A', 'B', 'C', 'D']).map((minGrade) => withField('minGrade', 'minGrade', { minGrade })),
    notOneOf(['ACTIVE', 'PAUSED']).map((state) => withField('state', 'state', { state })),
    fc
      .tuple(fc.constantFrom(...CHANNELS), fc.constantFrom('body', 'subject', 'html'), brokenTemplate)
      .map(([channel, part, source]) =>
        withField('template does not compile', `templates.${channel}.${part}`, {
          templates: {
            [channel]: { subject: 'Hello {{ lead.firstName }}', body: 'Hi {{ lead.firstName }}', [part]: source },
          },
        }),
      ),
    fc
      .tuple(fc.constantFrom(...CHANNELS), fc.oneof(fc.constant(''), wrongType('string')))
      .map(([channel, body]) =>
        withField('template body', `templates.${channel}.body`, { templates: { [channel]: { subject: 's', body } } }),
      ),
    notOneOf(CHANNELS).map((channel) =>
      withField('template channel', `templates.${channel}`, { templates: { [channel]: { body: 'x' } } }),
    ),
    fc.constant(
      withField('email template without subject', 'templates.EMAIL.subject', { templates: { EMAIL: { body: 'Hi' } } }),
    ),
    sequenceMutations('sequence').map(({ kind, field, sequence }) => withField(kind, field, { sequence })),
    wrongType('object').map((body) => ({ kind: 'body type', field: 'body', body })),
    // Within the types but beyond what one campaign item can hold.
    fc
      .constantFrom(['name', 200] as const, ['company', 200] as const, ['phone', 100] as const)
      .chain(([key, max]) =>
        tooLong(max).map((value) => withSender(`sender.${key} too long`, `sender.${key}`, { [key]: value })),
      ),
    tooLong(254).map((local) =>
      withSender('sender.email too long', 'sender.email', { email: `${local}@acme.example` }),
    ),
    fc
      .tuple(fc.constantFrom(...CHANNELS), fc.constantFrom('subject', 'html'), fc.constantFrom('字', '𝒳', 'é', 'x'))
      .map(([channel, part, char]) =>
        withField(`template ${part} too long`, `templates.${channel}.${part}`, {
          templates: {
            [channel]: { subject: 'Hi', body: 'Hi', [part]: char.repeat(part === 'subject' ? 999 : 100_001) },
          },
        }),
      ),
    fc.constantFrom('字', '𝒳').map((char) =>
      withField('templates together too large', 'templates', {
        templates: {
          EMAIL: { subject: 'Hi', body: 'Hi', html: char.repeat(60_000) },
          LINKEDIN: { body: char.repeat(30_000) },
          CONTACT_FORM: { subject: 'Hi', body: char.repeat(30_000) },
        },
      }),
    ),
  );
};

// ---- batches, outreach, channel config, suppressions

/** POST /v1/campaigns/{id}/batches bodies. */
export const invalidBatch: fc.Arbitrary<InvalidCase> = fc.oneof(
  wrongType('boolean').map((dryRun) => ({ kind: 'dryRun', field: 'dryRun', body: { dryRun: dryRun, limit: 1 } })),
  fc
    .oneof(fc.constant(0), badCount, fc.integer({ min: 10_001 }), wrongType('number'))
    .map((limit) => ({ kind: 'limit', field: 'limit', body: { dryRun: true, limit } })),
  fc.oneof(fc.constant(null), wrongType('object')).map((body) => ({ kind: 'body type', field: 'body', body })),
);

/** POST /v1/leads/{id}/outreach bodies. */
export const invalidOutreach: fc.Arbitrary<InvalidCase> = fc.oneof(
  fc.constant({ kind: 'body missing', field: 'body', body: { subject: 'Hi' } }),
  fc
    .oneof(fc.constant(''), tooLong(8_000), wrongType('string'))
    .map((body) => ({ kind: 'body', field: 'body', body: { body } })),
  brokenTemplate.map((body) => ({ kind: 'body does not compile', field: 'body', body: { body, subject: 'Hi' } })),
  brokenTemplate.map((subject) => ({
    kind: 'subject does not compile',
    field: 'subject',
    body: { body: 'Hi', subject },
  })),
  fc
    .oneof(fc.constant(''), tooLong(998), wrongType('string'))
    .map((subject) => ({ kind: 'subject', field: 'subject', body: { body: 'Hi', subject } })),
  notOneOf(CHANNELS).map((forceChannel) => ({
    kind: 'forceChannel',
    field: 'forceChannel',
    body: { body: 'Hi', forceChannel },
  })),
  wrongType('object').map((body) => ({ kind: 'body type', field: 'body', body })),
);

export const VALID_CONFIG = {
  enabled: true,
  rateLimits: { perHour: 10, perDay: 40 },
  retryPolicy: { maxRetries: 1, retryBackoffHours: [6] },
  settings: { mxCheck: false },
};

/** PUT /v1/channels/{channel}/config bodies. */
export const invalidChannelConfig: fc.Arbitrary<InvalidCase> = fc.oneof(
  fc.constant({ kind: 'rateLimits missing', field: 'rateLimits', body: { enabled: true } }),
  fc.tuple(fc.constantFrom('perHour', 'perDay'), fc.oneof(badCount, wrongType('number'))).map(([limit, value]) => ({
    kind: `rateLimits.${limit}`,
    field: `rateLimits.${limit}`,
    body: { ...VALID_CONFIG, rateLimits: { ...VALID_CONFIG.rateLimits, [limit]: value } },
  })),
  fc.oneof(fc.integer({ min: 11 }), badCount, wrongType('number')).map((maxRetries) => ({
    kind: 'retryPolicy.maxRetries',
    field: 'retryPolicy.maxRetries',
    body: { ...VALID_CONFIG, retryPolicy: { maxRetries, retryBackoffHours: [1] } },
  })),
  fc
    .oneof(fc.constant([]), fc.array(fc.oneof(negative, fc.constant(0)), { minLength: 1, maxLength: 3 }))
    .map((retryBackoffHours) => ({
      kind: 'retryPolicy.retryBackoffHours',
      field: 'retryPolicy.retryBackoffHours',
      body: { ...VALID_CONFIG, retryPolicy: { maxRetries: 1, retryBackoffHours } },
    })),
  wrongType('boolean').map((enabled) => ({ kind: 'enabled', field: 'enabled', body: { ...VALID_CONFIG, enabled } })),
  fc.integer({ min: 51, max: 2_000 }).map((count) => ({
    kind: 'settings too many',
    field: 'settings',
    body: {
      ...VALID_CONFIG,
      settings: Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v'.repeat(100)])),
    },
  })),
  fc.tuple(unicodeText({ minLength: 1, maxLength: 8 }), tooLong(2_000)).map(([key, value]) => ({
    kind: 'settings value too long',
    field: 'settings',
    body: { ...VALID_CONFIG, settings: { [key]: value } },
  })),
  tooLong(100).map((key) => ({
    kind: 'settings key too long',
    field: 'settings',
    body: { ...VALID_CONFIG, settings: { [key]: true } },
  })),
  fc.constantFrom('字', '𝒳').map((char) => ({
    kind: 'template too large',
    field: 'template',
    body: { ...VALID_CONFIG, template: { subject: 'Hi', body: char.repeat(60_000), html: char.repeat(60_000) } },
  })),
  fc.tuple(fc.constantFrom('subject', 'body', 'html'), brokenTemplate).map(([part, source]) => ({
    kind: 'template does not compile',
    field: `template.${part}`,
    body: { ...VALID_CONFIG, template: { subject: 'Hi', body: 'Hello', [part]: source } },
  })),
  fc
    .tuple(
      unicodeText({ minLength: 1, maxLength: 12 }).filter((key) => key !== '__proto__'),
      fc.oneof(
        fc.constant(null),
        wrongType('string').filter((v) => typeof v === 'object'),
      ),
    )
    .map(([key, value]) => ({
      kind: 'settings value',
      field: `settings.${key}`,
      body: { ...VALID_CONFIG, settings: { [key]: value } },
    })),
  wrongType('object').map((body) => ({ kind: 'body type', field: 'body', body })),
);

/** POST /v1/suppressions bodies. */
export const invalidSuppression: fc.Arbitrary<InvalidCase> = fc.oneof(
  fc.constant({ kind: 'neither email nor domain', field: 'email', body: { reason: 'spam' } }),
  fc.constant({
    kind: 'both email and domain',
    field: 'email',
    body: { email: 'a@acme.example', domain: 'acme.example', reason: 'spam' },
  }),
  invalidEmail.map((email) => ({ kind: 'email', field: 'email', body: { email, reason: 'spam' } })),
  fc
    .oneof(
      unicodeText({ minLength: 1, maxLength: 20 }).filter(
        (domain) => !/^@?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(domain),
      ),
      fc.constantFrom('localhost', 'acme', '.acme.example', 'acme..example', 'ac me.example', 'acme.example.'),
    )
    .map((domain) => ({ kind: 'domain', field: 'domain', body: { domain, reason: 'spam' } })),
  fc
    .oneof(fc.constant(undefined), fc.constant(''), tooLong(200), wrongType('string'))
    .map((reason) => ({ kind: 'reason', field: 'reason', body: { email: 'a@acme.example', reason } })),
  fc.integer({ min: 255, max: 3_000 }).map((length) => ({
    kind: 'email too long',
    field: 'email',
    body: { email: `${'a'.repeat(length)}@acme.example`, reason: 'spam' },
  })),
  fc.integer({ min: 127, max: 1_500 }).map((labels) => ({
    kind: 'domain too long',
    field: 'domain',
    body: { domain: `${'a.'.repeat(labels)}example`, reason: 'spam' },
  })),
  wrongType('object').map((body) => ({ kind: 'body type', field: 'body', body })),
);

/** POST /v1/webhooks/linkedin bodies (sent with the right shared secret). */
export const invalidLinkedInWebhook: fc.Arbitrary<InvalidCase> = fc.oneof(
  notOneOf(['message_received', 'new_relation']).map((event) => ({
    kind: 'event',
    field: 'event',
    body: { event, account_id: 'acc', user_provider_id: 'p' },
  })),
  fc.constantFrom('message_received', 'new_relation').map((event) => ({
    kind: 'account_id missing',
    field: 'account_id',
    body: { event, user_provider_id: 'p', sender: { attendee_provider_id: 'p' } },
  })),
  fc.oneof(fc.constant(undefined), wrongType('object')).map((sender) => ({
    kind: 'sender',
    field: 'sender',
    body: { event: 'message_received', account_id: 'acc', sender },
  })),
  wrongType('string').map((id) => ({
    kind: 'sender.attendee_provider_id',
    field: 'sender.attendee_provider_id',
    body: { event: 'message_received', account_id: 'acc', sender: { attendee_provider_id: id } },
  })),
  fc.oneof(fc.constant(undefined), wrongType('string')).map((id) => ({
    kind: 'user_provider_id',
    field: 'user_provider_id',
    body: { event: 'new_relation', account_id: 'acc', user_provider_id: id },
  })),
  fc
    .tuple(fc.constantFrom('𝒳', 'x', 'é'), fc.integer({ min: 513, max: 3_000 }))
    .map(([char, length]) => char.repeat(Math.ceil(length / Buffer.byteLength(char))))
    .chain((id) =>
      fc.constantFrom(
        {
          kind: 'sender.attendee_provider_id too long',
          field: 'sender.attendee_provider_id',
          body: { event: 'message_received', account_id: 'acc', sender: { attendee_provider_id: id } },
        },
        {
          kind: 'user_provider_id too long',
          field: 'user_provider_id',
          body: { event: 'new_relation', account_id: 'acc', user_provider_id: id },
        },
        {
          kind: 'account_id too long',
          field: 'account_id',
          body: { event: 'new_relation', account_id: id, user_provider_id: 'p' },
        },
      ),
    ),
  wrongType('boolean').map((isSender) => ({
    kind: 'is_sender',
    field: 'is_sender',
    body: { event: 'message_received', account_id: 'acc', sender: { attendee_provider_id: 'p' }, is_sender: isSender },
  })),
  wrongType('object').map((body) => ({ kind: 'body type', field: 'body', body })),
);

// ---- lead import rows (JSON objects and CSV rows)

export interface InvalidRow {
  kind: string;
  field: string;
  /** camelCase or snake_case keys, as importers send them. */
  row: Record<string, unknown> | unknown;
}

const rowWith = (kind: string, field: string, patch: Record<string, unknown>): InvalidRow => ({
  kind,
  field,
  row: { firstName: 'Ada', lastName: 'Lovelace', leadScore: 0.5, ...patch },
});

const TEXT_FIELDS = [
  'lastName',
  'company',
  'title',
  'website',
  'linkedinUrl',
  'contactFormUrl',
  'phone',
  'timezone',
  'industry',
  'budgetRange',
] as const;

/** Cell text (CSV) that is invalid for a numeric field. */
const notANumber = fc.oneof(
  unicodeText({ minLength: 1, maxLength: 10 }).filter((s) => s.trim() !== '' && Number.isNaN(Number(s.trim()))),
  fc.constantFrom('NaN', 'one', '0,5', '½', '١'),
);

/** One invalid row, as text cells (every value a string): what a CSV row can carry. */
export const invalidCsvRow: fc.Arbitrary<InvalidRow> = fc.oneof(
  fc.constantFrom('', '   ', '\t').map((firstName) => rowWith('firstName blank', 'firstName', { firstName })),
  tooLong(200).map((firstName) => rowWith('firstName too long', 'firstName', { firstName })),
  fc
    .oneof(
      fc.double({ min: 1.0001, max: 1e6, noNaN: true }).map(String),
      fc.double({ max: -0.0001, min: -1e6, noNaN: true }).map(String),
      notANumber,
    )
    .map((leadScore) => rowWith('leadScore', 'leadScore', { leadScore })),
  fc
    .oneof(fc.integer({ max: -1, min: -1e6 }).map(String), fraction.map(String), notANumber)
    .map((timelineMonths) => rowWith('timelineMonths', 'timelineMonths', { timelineMonths })),
  fc
    .oneof(fc.integer({ max: -1, min: -1e6 }).map(String), fraction.map(String), notANumber)
    .map((employeeCount) => rowWith('employeeCount', 'employeeCount', { employeeCount })),
  notOneOf(['NOT_CONNECTED', 'CONNECTION_REQUESTED', 'CONNECTED', 'BLOCKED'])
    .filter((s) => s.trim() !== '')
    .filter((s) => {
      const normalised = s
        .trim()
        .toUpperCase()
        .replace(/[\s-]+/g, '_');
      return !['NOT_CONNECTED', 'CONNECTION_REQUESTED', 'CONNECTED', 'BLOCKED'].includes(normalised);
    })
    .map((linkedinStatus) => rowWith('linkedinStatus', 'linkedinStatus', { linkedinStatus })),
  fc
    .tuple(fc.constantFrom(...TEXT_FIELDS), tooLong(2_000))
    .map(([field, value]) => rowWith(`${field} too long`, field, { [field]: value })),
  tooLong(254).map((local) => rowWith('email too long', 'email', { email: `${local}@acme.example` })),
  fc
    .tuple(fc.constantFrom('tags', 'painPoints'), tooLong(200))
    .map(([field, value]) => rowWith(`${field} item too long`, field, { [field]: `ok; ${value}` })),
  fc.tuple(fc.constantFrom('tags', 'painPoints'), fc.integer({ min: 51, max: 80 })).map(([field, count]) =>
    rowWith(`${field} too many`, field, {
      [field]: Array.from({ length: count }, (_, i) => `t${i}`).join('; '),
    }),
  ),
);

/** One invalid JSON import item: every CSV problem plus wrong JSON types and non-objects. */
export const invalidJsonRow: fc.Arbitrary<InvalidRow> = fc.oneof(
  invalidCsvRow,
  fc.constant(rowWith('firstName missing', 'firstName', { firstName: undefined })),
  wrongType('string')
    .filter((v) => typeof v !== 'number')
    .map((firstName) => rowWith('firstName type', 'firstName', { firstName })),
  fc
    .oneof(wrongType('number'), fc.double({ min: 1.0001, max: 1e9, noNaN: true }))
    .filter((v) => typeof v !== 'string' && v !== null)
    .map((leadScore) => rowWith('leadScore type', 'leadScore', { leadScore })),
  fc
    .tuple(
      fc.constantFrom(...TEXT_FIELDS),
      wrongType('string').filter((v) => typeof v !== 'number' && v !== null),
    )
    .map(([field, value]) => rowWith(`${field} type`, field, { [field]: value })),
  fc
    .tuple(
      fc.constantFrom('tags', 'painPoints'),
      fc.oneof(
        fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(fc.string(), fc.string())), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer(),
        fc.boolean(),
        fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { minKeys: 1, maxKeys: 2 }),
      ),
    )
    .map(([field, value]) => rowWith(`${field} type`, field, { [field]: value })),
  fc
    .oneof(unicodeText({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()))
    .map((row) => ({ kind: 'row not an object', field: 'row', row })),
);

/** snake_case for some keys, as CSV headers and exporters write them. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text for rows with the union of their keys as the header (snake_case or camelCase headers). */
export function toCsv(rows: Record<string, unknown>[], snake: boolean): string {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const header = keys.map((key) => (snake ? snakeCase(key) : key)).join(',');
  return [header, ...rows.map((row) => keys.map((key) => csvCell(row[key])).join(','))].join('\r\n');
}

/** Rows csv-parse cannot read or that carry more cells than the header. */
export const structurallyBrokenCsvRow = fc.oneof(
  fc.constant({ kind: 'quote not closed', line: 'Ann,"Lee' }),
  fc.constant({ kind: 'quote inside value', line: 'Ann,Le"e' }),
  fc.constant({ kind: 'text after closing quote', line: 'Ann,"Lee"x' }),
  unicodeText({ minLength: 1, maxLength: 8 })
    .filter((extra) => !/[",\r\n]/.test(extra) && extra.trim() !== '')
    .map((extra) => ({ kind: 'more cells than columns', line: `Ann,Lee,${extra}` })),
);
