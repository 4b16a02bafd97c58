import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { DEFAULT_ACCOUNT_LIMITS, putAccountLimits, resolveAccountLimits } from '#shared/store/config';
import { cascadeAgainst, errorLines } from '#test/support/cli';

/** `cascade limits get|set` as subprocesses against an API served by this process (docs/product.md §7). */

const TOKEN = 'limits-cli-test-token';
let server: ApiServer;
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('cascade limits', () => {
  it('sets only the limits given, then shows them as a table and as JSON', async () => {
    // Prepare
    await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS, perDomainPerDay: 25 });

    // Act
    const set = await cascade(['limits', 'set', '--global-per-day', '750', '--lead-cooldown-hours', '0']);
    const [shown, json] = await Promise.all([cascade(['limits', 'get']), cascade(['limits', 'get', '--json'])]);

    // Assess
    expect(set.code).toBe(0);
    expect(set.stdout.split('\n')[0]).toBe('updated account limits: globalPerDay 750, leadCooldownHours 0');
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toMatch(/^limit\s+value$/);
    expect(lines).toContainEqual(expect.stringMatching(/^globalPerDay\s+750$/));
    expect(lines).toContainEqual(expect.stringMatching(/^perDomainPerDay\s+25$/));
    expect(lines).toContainEqual(expect.stringMatching(/^EMAIL\s+50\s+200\s+default$/));
    expect(JSON.parse(json.stdout)).toMatchObject({
      globalPerDay: 750,
      perDomainPerDay: 25,
      leadCooldownHours: 0,
      maxActiveSequencesPerPerson: DEFAULT_ACCOUNT_LIMITS.maxActiveSequencesPerPerson,
    });
    expect(await resolveAccountLimits()).toMatchObject({ globalPerDay: 750, perDomainPerDay: 25 });
  });

  it('says in one line what is wrong: a bad flag before any request, a bound the API refuses', async () => {
    // Prepare
    await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS });

    // Act
    const [negative, nothing, tooMany] = await Promise.all([
      cascade(['limits', 'set', '--per-domain-per-day', '-3']),
      cascade(['limits', 'set']),
      cascade(['limits', 'set', '--max-active-sequences', '101']),
    ]);

    // Assess
    expect([negative.code, nothing.code, tooMany.code]).toEqual([1, 1, 1]);
    expect(errorLines(negative)).toEqual(['cascade: --per-domain-per-day "-3" is not a whole number ≥ 0']);
    expect(errorLines(nothing)).toEqual([expect.stringMatching(/^cascade: nothing to set: pass --global-per-day/)]);
    expect(errorLines(tooMany)).toEqual([
      expect.stringMatching(/^cascade: validation_error: .*\(maxActiveSequencesPerPerson: .*100/),
    ]);
    expect((await resolveAccountLimits()).maxActiveSequencesPerPerson).toBe(1);
  });
});
