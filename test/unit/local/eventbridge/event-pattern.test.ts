import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SES_DETAIL_TYPES } from '#infra/ses-events-pattern';
import { matchesEventPattern, validateEventPattern } from '#local/eventbridge/event-pattern';

// The examples are the EventBridge User Guide's ("Event patterns", "Comparison operators", "Arrays in event
// patterns", "Null values and empty strings") and aws/event-ruler's README, each tried both ways.

/** The User Guide's EC2 sample event, with event-ruler's detail fields. */
const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
  },
};

/** The event with its `detail` fields replaced. */
const withDetail = (detail: Record<string, unknown>) => ({ ...EC2_EVENT, detail });
const matches = (pattern: object, event: object = EC2_EVENT) => matchesEventPattern(pattern, event);

describe('event patterns: values, nesting and arrays', () => {
  it('matches exact values and requires every field of the pattern to match', () => {
    // Prepare
    const pattern = { source: ['aws.ec2'], detail: { state: ['running', 'terminated'] } };

    // Assess
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, 'detail-type': ['EC2 Spot Instance Interruption Warning'] })).toBe(false);
    expect(matches(pattern, withDetail({ state: 'stopped' }))).toBe(false);
    expect(matches({ source: ['aws.ec2'] }, { detail: {} })).toBe(false);
    // Strings, numbers and booleans only equal their own kind.
    expect(matches({ detail: { 'c-count': [5] } })).toBe(true);
    expect(matches({ detail: { 'c-count': ['5'] } })).toBe(false);
    expect(matches({ detail: { flag: [true] } }, withDetail({ flag: true }))).toBe(true);
    expect(matches({ detail: { flag: ['true'] } }, withDetail({ flag: true }))).toBe(false);
  });

  it('matches a nested field only at its own path', () => {
    // Prepare
    const pattern = { detail: { state: ['terminated'] } };

    // Assess
    expect(matches(pattern)).toBe(true);
    expect(matches(pattern, { ...EC2_EVENT, detail: { other: { state: 'terminated' } } })).toBe(false);
    expect(matches(pattern, { ...EC2_EVENT, state: 'terminated', detail: {} })).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    // Assess
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'x'] })).toBe(true);
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-other'] })).toBe(false);
    expect(matches({ detail: { state: ['running'] } }, withDetail({ state: ['initializing', 'running'] }))).toBe(true);
    expect(matches({ detail: { state: ['stopped'] } }, withDetail({ state: ['initializing', 'running'] }))).toBe(false);
  });

  it('takes fields matched together from the same element of an array of objects', () => {
    // Prepare: event-ruler's README example.
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };

    // Assess
    expect(matches({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('tells null, the empty string and a missing field apart', () => {
    // Prepare: the User Guide's autoscaling example.
    const event = withDetail({ eventVersion: '', responseElements: null });

    // Assess
    expect(matches({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matches({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matches({ detail: { responseElements: [''] } }, event)).toBe(false);
    expect(matches({ detail: { missing: [null] } }, event)).toBe(false);
  });
});

describe('event patterns: comparison operators', () => {
  it('matches prefixes, with or without case', () => {
    // Assess
    expect(matches({ time: [{ prefix: '2017-12-22' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } })).toBe(false);
    const service = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matches(service, withDetail({ service: 'eventbridge' }))).toBe(true);
    expect(matches(service, withDetail({ service: 'EVENTBRIDGE' }))).toBe(true);
    expect(matches(service, withDetail({ service: 'lambda' }))).toBe(false);
  });

  it('matches suffixes, with or without case', () => {
    // Assess
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.png' }))).toBe(true);
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.PNG' }))).toBe(false);
    const ignoringCase = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(ignoringCase, withDetail({ FileName: 'IMAGE.PNG' }))).toBe(true);
    expect(matches(ignoringCase, withDetail({ FileName: 'image.jpg' }))).toBe(false);
  });

  it('matches equals-ignore-case', () => {
    // Prepare
    const pattern = { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } };

    // Assess
    expect(matches(pattern, withDetail({ Name: 'Alice' }))).toBe(true);
    expect(matches(pattern, withDetail({ Name: 'ALICE' }))).toBe(true);
    expect(matches(pattern, withDetail({ Name: 'Alicia' }))).toBe(false);
  });

  it('matches wildcards, with * and \\ escaped', () => {
    // Prepare
    const busArn = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    const png = { FilePath: [{ wildcard: 'dir/*.png' }] };

    // Assess
    expect(matches(busArn, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' })).toBe(true);
    expect(matches(busArn, { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' })).toBe(false);
    expect(matches(png, { FilePath: 'dir/sub/a.png' })).toBe(true);
    expect(matches(png, { FilePath: 'dir/a.jpg' })).toBe(false);
    expect(matches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'axb' })).toBe(false);
    expect(matches({ v: [{ wildcard: 'a\\\\b' }] }, { v: 'a\\b' })).toBe(true);
  });

  it('matches anything-but a value, a list, a prefix, a suffix, a case-blind value or a wildcard', () => {
    // Prepare
    const state = (value: unknown) => withDetail({ state: value, 'x-limit': 301.8, FilePath: '/usr/bin/x' });
    const but = (operand: unknown, field = 'state') => ({ detail: { [field]: [{ 'anything-but': operand }] } });

    // Assess
    expect(matches(but('initializing'), state('running'))).toBe(true);
    expect(matches(but('initializing'), state('initializing'))).toBe(false);
    expect(matches(but(123, 'x-limit'), state('running'))).toBe(true);
    expect(matches(but([100, 200, 301.8], 'x-limit'), state('running'))).toBe(false);
    expect(matches(but(['stopped', 'overloaded']), state('running'))).toBe(true);
    expect(matches(but(['stopped', 'overloaded']), state('stopped'))).toBe(false);
    expect(matches(but({ prefix: 'init' }), state('running'))).toBe(true);
    expect(matches(but({ prefix: 'init' }), state('initializing'))).toBe(false);
    expect(matches(but({ suffix: '.png' }, 'FilePath'), state('x'))).toBe(true);
    expect(matches(but({ suffix: '/x' }, 'FilePath'), state('x'))).toBe(false);
    expect(matches(but({ 'equals-ignore-case': 'initializing' }), state('INITIALIZING'))).toBe(false);
    expect(matches(but({ 'equals-ignore-case': ['stopped', 'initializing'] }), state('Running'))).toBe(true);
    expect(matches(but({ wildcard: '*/lib/*' }, 'FilePath'), state('x'))).toBe(true);
    expect(matches(but({ wildcard: ['*/lib/*', '*/bin/*'] }, 'FilePath'), state('x'))).toBe(false);
    // Like every operator but exists, anything-but needs the field to be there.
    expect(matches(but('initializing', 'missing'), state('running'))).toBe(false);
  });

  it('matches numeric ranges and equality on JSON numbers only', () => {
    // Prepare: the User Guide's example against event-ruler's sample detail (c-count 5, d-count 3, x-limit 301.8).
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };

    // Assess
    expect(matches(pattern)).toBe(true);
    expect(matches(pattern, withDetail({ ...EC2_EVENT.detail, 'c-count': 6 }))).toBe(false);
    expect(matches(pattern, withDetail({ ...EC2_EVENT.detail, 'c-count': 0 }))).toBe(false);
    expect(matches(pattern, withDetail({ ...EC2_EVENT.detail, 'c-count': '5' }))).toBe(false);
    expect(matches({ detail: { 'd-count': [{ numeric: ['>=', 3] }] } })).toBe(true);
  });

  it('matches exists on leaves: a field holding an object does not exist as a leaf', () => {
    // Prepare
    const present = { detail: { 'c-count': [{ exists: true }] } };
    const absent = { detail: { 'c-count': [{ exists: false }] } };

    // Assess
    expect(matches(present)).toBe(true);
    expect(matches(absent)).toBe(false);
    expect(matches(absent, withDetail({ state: ['initializing', 'running'] }))).toBe(true);
    expect(matches(absent, withDetail({ 'c-count': { c1: 100 } }))).toBe(true);
    expect(matches(present, withDetail({ 'c-count': { c1: 100 } }))).toBe(false);
  });

  it('matches IPv4 and IPv6 addresses in a CIDR block', () => {
    // Assess
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
    const v6 = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(matches(v6, { ip: '2001:db8:0:0:1::1' })).toBe(true);
    expect(matches(v6, { ip: '2001:db9::1' })).toBe(false);
    expect(matches(v6, { ip: 'not an address' })).toBe(false);
  });

  it('matches $or branches, and reads a one-branch $or as a field name', () => {
    // Prepare: event-ruler's "source && (metricName || namespace)".
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };

    // Assess
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'Other' })).toBe(false);
    expect(matches(pattern, { source: 'aws.ec2', namespace: 'AWS/EC2' })).toBe(false);
    expect(matches({ $or: { metricName: ['X'] } }, { $or: { metricName: 'X' } })).toBe(true);
    // Branches keyed by operators are values of a field named $or (event-ruler's backward compatibility).
    expect(matches({ $or: [{ prefix: 'a' }, { numeric: ['>', 1] }] }, { $or: 'abc' })).toBe(true);
    expect(matches({ $or: [{ prefix: 'a' }, { numeric: ['>', 1] }] }, { x: 'abc' })).toBe(false);
  });
});

describe('validateEventPattern', () => {
  it('accepts what EventBridge accepts', () => {
    // Assess
    expect(validateEventPattern({ source: ['aws.ec2'], detail: { n: [{ numeric: ['>=', 1, '<', 5] }] } })).toBe(
      undefined,
    );
    expect(validateEventPattern({ a: [null, '', 1, true, { 'anything-but': { prefix: ['x', 'y'] } }] })).toBe(
      undefined,
    );
  });

  it('refuses what EventBridge refuses, and matching an invalid pattern throws', () => {
    // Prepare
    const invalid: unknown[] = [
      ['aws.ec2'],
      { source: 'aws.ec2' },
      { source: [] },
      {},
      { detail: {} },
      { a: [{ contains: 'x' }] },
      { a: [{ prefix: 'x', suffix: 'y' }] },
      { a: [{ numeric: ['<', 5, '>', 1] }] },
      { a: [{ numeric: ['>', 5, '<', 1] }] },
      { a: [{ numeric: ['>', 6e9] }] },
      { a: [{ 'anything-but': ['x', 1] }] },
      { a: [{ wildcard: 'a**b' }] },
      { a: [{ wildcard: 'a\\b' }] },
      { a: [{ exists: 'yes' }] },
      { a: [{ cidr: '10.0.0.0/33' }] },
      { $or: [{ metricName: ['X'] }] },
    ];

    // Assess
    for (const pattern of invalid) expect(validateEventPattern(pattern), JSON.stringify(pattern)).toBeTypeOf('string');
    expect(() => matchesEventPattern({ source: 'aws.ec2' }, EC2_EVENT)).toThrow(/Event pattern is not valid/);
  });
});

// ── SES events as AWS documents them on EventBridge ──────────────────────────────────────────────────

/** The SES events as AWS documents them (the repository's fixtures). */
const SES_FIXTURES = fileURLToPath(new URL('../../../fixtures/ses-events/', import.meta.url));
const SES_PATTERN = {
  source: ['aws.ses'],
  'detail-type': SES_DETAIL_TYPES,
  detail: { mail: { tags: { 'ses:configuration-set': ['cascade-cs'] } } },
};
/**
 * Whether each fixture carries `resources` (the configuration set's ARN): all of them do today, which is why
 * the pattern can match on the tag alone and does not depend on `resources`.
 */
const CARRIES_RESOURCES: Record<string, boolean> = {
  'bounce-permanent.json': true,
  'click.json': true,
  'complaint.json': true,
  'delivery-delay.json': true,
  'delivery.json': true,
  'open.json': true,
};

type SesEvent = { resources?: string[]; detail: { mail: { tags: Record<string, string[]> } } };
const fixture = (name: string): SesEvent => JSON.parse(readFileSync(`${SES_FIXTURES}${name}`, 'utf8'));
const taggedWith = (event: SesEvent, configurationSet: string): SesEvent => {
  const clone = structuredClone(event);
  clone.detail.mail.tags['ses:configuration-set'] = [configurationSet];
  return clone;
};

describe('SES events against the configuration-set pattern', () => {
  it('has the fixtures this test documents', () => {
    // Assess
    expect(readdirSync(SES_FIXTURES).filter((name) => name.endsWith('.json'))).toEqual(Object.keys(CARRIES_RESOURCES));
  });

  it.each(Object.entries(CARRIES_RESOURCES))(
    '%s matches only when tagged with the configuration set',
    (name, carries) => {
      // Prepare
      const event = fixture(name);

      // Act
      const ours = matchesEventPattern(SES_PATTERN, taggedWith(event, 'cascade-cs'));
      const another = matchesEventPattern(SES_PATTERN, taggedWith(event, 'someone-elses-cs'));
      const untagged = structuredClone(event);
      delete untagged.detail.mail.tags['ses:configuration-set'];

      // Assess
      expect(ours).toBe(true);
      expect(another).toBe(false);
      expect(matchesEventPattern(SES_PATTERN, untagged)).toBe(false);
      expect(Array.isArray(event.resources)).toBe(carries);
      if (carries) expect(event.resources).toEqual([expect.stringMatching(/:configuration-set\//)]);
    },
  );
});
