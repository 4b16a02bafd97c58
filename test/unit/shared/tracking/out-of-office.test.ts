import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyAutoReply } from '#shared/tracking/out-of-office/classify';
import { outOfOfficeReturn } from '#shared/tracking/out-of-office/index';
import { ownText, readReturnDate } from '#shared/tracking/out-of-office/return-date';
import { OUT_OF_OFFICE_CORPUS, type OutOfOfficeCase } from '#test/fixtures/out-of-office/corpus';

const headers = (entries: Record<string, string>) => new Map(Object.entries(entries));
const FRIDAY_IN_BERLIN = { receivedAt: '2026-12-18T09:15:00Z', timeZone: 'Europe/Berlin' };

function outcomeOf(testCase: OutOfOfficeCase) {
  return outOfOfficeReturn(
    { headers: headers(testCase.headers), subject: testCase.subject, text: testCase.text },
    {
      receivedAt: testCase.receivedAt,
      timeZone: testCase.timeZone,
      ...(testCase.country && { country: testCase.country }),
    },
  );
}

describe('the out-of-office corpus', () => {
  const outcomes = new Map<string, boolean>();

  afterAll(() => {
    const right = [...outcomes.values()].filter(Boolean).length;
    console.info(`out-of-office corpus: ${right}/${outcomes.size} classified and dated as expected`);
  });

  it('is large and varied enough to judge by', () => {
    // Prepare
    const kinds = OUT_OF_OFFICE_CORPUS.map((testCase) => testCase.expected.kind);
    const ids = OUT_OF_OFFICE_CORPUS.map((testCase) => testCase.id);

    // Assess
    expect(OUT_OF_OFFICE_CORPUS.length).toBeGreaterThanOrEqual(48);
    expect(kinds.filter((kind) => kind === 'other_auto_reply').length).toBeGreaterThanOrEqual(12);
    expect(kinds.filter((kind) => kind === 'not_auto_reply').length).toBeGreaterThanOrEqual(6);
    expect(new Set(ids).size).toBe(ids.length);
    for (const language of ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt']) {
      expect(ids.some((id) => id.startsWith(`${language}-`))).toBe(true);
    }
  });

  it.each(OUT_OF_OFFICE_CORPUS.map((testCase) => [testCase.id, testCase] as const))('%s', (id, testCase) => {
    // Act
    const outcome = outcomeOf(testCase);
    outcomes.set(id, outcome.kind === testCase.expected.kind && outcome.returnDate === testCase.expected.returnDate);

    // Assess
    expect(outcome).toEqual(testCase.expected);
  });

  it('meets the issue acceptance of at least 95 % classified and dated as expected', () => {
    // Act
    const right = OUT_OF_OFFICE_CORPUS.filter((testCase) => {
      const outcome = outcomeOf(testCase);
      return outcome.kind === testCase.expected.kind && outcome.returnDate === testCase.expected.returnDate;
    }).length;

    // Assess
    expect(right / OUT_OF_OFFICE_CORPUS.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('classifyAutoReply precedence', () => {
  it('takes a person saying they are out of the office for a person', () => {
    // Act
    const result = classifyAutoReply({
      headers: headers({}),
      subject: 'Re: Intro',
      text: "I'm out of the office until Monday, but happy to talk then.",
    });

    // Assess
    expect(result.kind).toBe('not_auto_reply');
  });

  it('lets an auto-reply subject overrule Auto-Submitted: no', () => {
    // Act
    const result = classifyAutoReply({
      headers: headers({ 'auto-submitted': 'no' }),
      subject: 'Abwesenheitsnotiz: Intro',
      text: 'Ich bin im Urlaub.',
    });

    // Assess
    expect(result).toMatchObject({ kind: 'out_of_office', language: 'de' });
  });

  it('needs wording in the body before a weak header counts', () => {
    // Prepare
    const bulk = headers({ precedence: 'bulk' });

    // Act
    const plain = classifyAutoReply({ headers: bulk, subject: 'Re: Intro', text: 'Sounds interesting, send details.' });
    const away = classifyAutoReply({ headers: bulk, subject: 'Re: Intro', text: 'I am on vacation this week.' });

    // Assess
    expect(plain.kind).toBe('not_auto_reply');
    expect(away.kind).toBe('out_of_office');
  });

  it('trusts a body that declares itself automatic only without Auto-Submitted', () => {
    // Prepare
    const text = 'This is an automatic reply. I am travelling and back on 11 January.';

    // Act
    const undeclared = classifyAutoReply({ headers: headers({}), subject: 'Re: Intro', text });
    const declaredHuman = classifyAutoReply({
      headers: headers({ 'auto-submitted': 'no' }),
      subject: 'Re: Intro',
      text,
    });

    // Assess
    expect(undeclared.kind).toBe('out_of_office');
    expect(declaredHuman.kind).toBe('not_auto_reply');
  });

  it('reads the away wording of the reply, not of the quoted original', () => {
    // Act
    const result = classifyAutoReply({
      headers: headers({ 'auto-submitted': 'auto-generated' }),
      subject: 'Re: Intro',
      text: 'Ticket #77 created, we will get back to you soon.\n\n-----Original Message-----\nI am on vacation next week.',
    });

    // Assess
    expect(result.kind).toBe('other_auto_reply');
  });

  it('explains its decision', () => {
    // Act
    const result = classifyAutoReply({
      headers: headers({ 'auto-submitted': 'auto-replied' }),
      subject: 'Fuori ufficio',
      text: 'Sono in ferie.',
    });

    // Assess
    expect(result.evidence).toContain('auto-submitted: auto-replied');
    expect(result.evidence).toContain('ferie');
    expect(result.language).toBe('it');
  });
});

describe('readReturnDate', () => {
  it.each([
    ['until 12 January', 'I am out of the office until 12 January.', '2027-01-13'],
    ['bis zum 12.01.', 'Ich bin bis zum 12.01. nicht im Büro.', '2027-01-13'],
    ["jusqu'au 12 janvier", "Je suis absent jusqu'au 12 janvier.", '2027-01-13'],
    ['hasta el 12 de enero', 'Estoy fuera hasta el 12 de enero.', '2027-01-13'],
    ['back on 12 January', 'I will be back on 12 January.', '2027-01-12'],
    ['ab 12.01. wieder', 'Ich bin ab 12.01. wieder im Büro.', '2027-01-12'],
    ['de retour le 12 janvier', 'Je serai de retour le 12 janvier.', '2027-01-12'],
    ['a range ends on the last day away', 'Ich bin vom 22.12. bis 11.01. im Urlaub.', '2027-01-12'],
    ['a range opened by a bare day', 'Estaré fuera de la oficina del 21 al 31 de diciembre.', '2027-01-01'],
    ['"not back until" as the first day back', "I won't be back until 12 January.", '2027-01-12'],
  ])('reads %s as the first day back', (_name, text, expected) => {
    // Act
    const found = readReturnDate(text, FRIDAY_IN_BERLIN);

    // Assess
    expect(found?.date).toBe(expected);
  });

  it.each([
    ['US', '2027-01-12'],
    ['CA', '2027-01-12'],
    ['PH', '2027-01-12'],
    ['GB', '2027-12-01'],
    ['DE', '2027-12-01'],
    [undefined, '2027-12-01'],
  ])('reads 01/12 in country %s as %s (first day back)', (country, firstDayBack) => {
    // Prepare
    const text = 'I will be back on 01/12/2027.';

    // Act
    const found = readReturnDate(text, { ...FRIDAY_IN_BERLIN, ...(country && { country }) });

    // Assess
    expect(found?.date).toBe(firstDayBack);
  });

  it('reads the day first when the month-first reading is impossible', () => {
    // Act
    const found = readReturnDate('Back on 13/01/2027.', { ...FRIDAY_IN_BERLIN, country: 'US' });

    // Assess
    expect(found?.date).toBe('2027-01-13');
  });

  it.each([
    ['an explicit past date', 'I am back on 2 December 2026.'],
    ['a stale year-less date', 'Ich bin bis zum 10.12. im Urlaub.'],
    ['a date more than a year ahead', 'I am on sabbatical and back on 5 January 2028.'],
  ])('ignores %s', (_name, text) => {
    // Act
    const found = readReturnDate(text, FRIDAY_IN_BERLIN);

    // Assess
    expect(found).toBeUndefined();
  });

  it.each([
    [
      '"On … wrote:"',
      'I am travelling.\n\nOn Mon, 14 Dec 2026 at 09:00, Bob <bob@x.example> wrote:\n> back on 12 January',
    ],
    ['"> " lines', 'I am travelling.\n> I am back on 12 January'],
    [
      'an Outlook header block',
      'Bin unterwegs.\n\nVon: Bob\nGesendet: Montag, 14. Dezember 2026\nBetreff: bis zum 12.01.',
    ],
    ['a German "Am … schrieb"', 'Bin unterwegs.\n\nAm 14.12.2026 um 09:00 schrieb Bob:\nbis zum 12.01.'],
  ])('ignores dates in quoted text after %s', (_name, text) => {
    // Act
    const found = readReturnDate(text, FRIDAY_IN_BERLIN);

    // Assess
    expect(found).toBeUndefined();
  });

  it('keeps the reply text before a quote marker', () => {
    // Act
    const own = ownText('Back on 12 January.\n\n-----Ursprüngliche Nachricht-----\nVon: Bob');

    // Assess
    expect(own.trim()).toBe('Back on 12 January.');
  });

  it('reads relative dates from the local day the reply arrived', () => {
    // Prepare: 23:30 UTC on 31 December is already 1 January in Tokyo.
    const options = { receivedAt: '2026-12-31T23:30:00Z', timeZone: 'Asia/Tokyo' };

    // Act
    const tomorrow = readReturnDate('Back tomorrow.', options);
    const twoWeeks = readReturnDate('Zurück in zwei Wochen.', options);

    // Assess
    expect(tomorrow?.date).toBe('2027-01-02');
    expect(twoWeeks?.date).toBe('2027-01-15');
  });

  it('prefers a first-day-back date over an until date and says where it read it', () => {
    // Act
    const found = readReturnDate('Out until Friday 8 January, back on Monday 11 January.', FRIDAY_IN_BERLIN);

    // Assess
    expect(found).toEqual({ date: '2027-01-11', phrase: 'back on Monday 11 January' });
  });

  it('reads any day of the next five months, in several formats, by the until-vs-back rule', () => {
    // Prepare
    const today = DateTime.fromISO(FRIDAY_IN_BERLIN.receivedAt, { zone: FRIDAY_IN_BERLIN.timeZone }).startOf('day');
    const formats = [
      (day: DateTime) => `back on ${day.toISODate()}`,
      (day: DateTime) => `wieder da ab ${day.toFormat('dd.MM.yyyy')}`,
      (day: DateTime) => `back on ${day.setLocale('en').toFormat('d MMMM yyyy')}`,
      (day: DateTime) => `until ${day.setLocale('en').toFormat('d MMMM yyyy')}`,
      (day: DateTime) => `bis zum ${day.toFormat('dd.MM.')}`,
      (day: DateTime) => `jusqu'au ${day.setLocale('fr').toFormat('d MMMM yyyy')}`,
    ];

    // Act / Assess
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: formats.length - 1 }),
        (offset, index) => {
          const day = today.plus({ days: offset });
          const format = formats[index] as (day: DateTime) => string;
          const text = `I am away. ${format(day)}.`;
          const expected = index >= 3 ? day.plus({ days: 1 }) : day;
          expect(readReturnDate(text, FRIDAY_IN_BERLIN)?.date).toBe(expected.toISODate());
        },
      ),
    );
  });

  it('takes no date without a cue', () => {
    // Act
    const found = readReturnDate(
      'Our offices close on 24 December. We will get back to you within 24 hours.',
      FRIDAY_IN_BERLIN,
    );

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('outOfOfficeReturn', () => {
  it('reads the subject when the body names no date', () => {
    // Act
    const outcome = outOfOfficeReturn(
      { headers: headers({ 'auto-submitted': 'auto-replied' }), subject: 'Abwesend bis 12.01.', text: 'Danke.' },
      FRIDAY_IN_BERLIN,
    );

    // Assess
    expect(outcome).toEqual({ kind: 'out_of_office', returnDate: '2027-01-13' });
  });

  it('dates only out-of-office replies', () => {
    // Act
    const outcome = outOfOfficeReturn(
      {
        headers: headers({ 'auto-submitted': 'auto-replied' }),
        subject: 'Re: Intro',
        text: 'Ticket received, back to you by 12 January.',
      },
      FRIDAY_IN_BERLIN,
    );

    // Assess
    expect(outcome).toEqual({ kind: 'other_auto_reply' });
  });
});
