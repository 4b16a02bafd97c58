import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { channelArgument, positiveInteger, readInputFile, readJsonFile } from '#cli/verbs/options';

const dir = mkdtempSync(path.join(tmpdir(), 'cascade-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('positiveInteger and channelArgument', () => {
  it('reads whole numbers from 1 and channel names in any case, and names the bad value', () => {
    // Assess
    expect(positiveInteger(undefined, '--limit')).toBeUndefined();
    expect(positiveInteger('3', '--limit')).toBe(3);
    expect(() => positiveInteger('0', '--limit')).toThrow('--limit "0" is not a positive whole number');
    expect(() => positiveInteger('1.5', '--days')).toThrow('--days "1.5" is not a positive whole number');
    expect(channelArgument('contact-form')).toBe('CONTACT_FORM');
    expect(() => channelArgument('fax')).toThrow('channel "fax" is not one of EMAIL, LINKEDIN, CONTACT_FORM, PHONE');
  });
});

describe('readJsonFile and readInputFile', () => {
  it('reads a JSON file, and says in one line why a file cannot be used', () => {
    // Prepare
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(good, '{"name":"Ada"}');
    writeFileSync(bad, '{name');

    // Act
    const value = readJsonFile(good);

    // Assess
    expect(value).toEqual({ name: 'Ada' });
    expect(() => readJsonFile(bad)).toThrow(new RegExp(`^${bad} is not JSON: `));
    expect(() => readJsonFile(path.join(dir, 'none.json'))).toThrow(/^cannot read .*none\.json: ENOENT$/);
    // Without stdin, `-` is a file name like any other.
    expect(() => readInputFile('-', { stdin: false })).toThrow('cannot read -: ENOENT');
  });
});
