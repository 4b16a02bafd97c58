import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';

/**
 * The return date of an out-of-office reply, read from its own text (quoted original cut off).
 *
 * Dates are found by chrono-node (every supported language, the reply's own first) plus a hand-written
 * scanner for numeric dates, because chrono misses German year-less "12.01." and reads "01/12" by
 * locale rather than by the recipient's country. A date counts only when a cue says what it is:
 * - "back/return/zurück/wieder/de retour/de vuelta/rientro/terug/de volta … X" (or "X … wieder/weer") means
 *   X is the first day back: X is returned;
 * - "until/till/bis/jusqu'au/hasta/fino al/tot (en met)/até … X", and the second date of a range
 *   ("22.12.–05.01.", "du 22 au 4 janvier"), mean X is the last day away: the day after X is returned;
 * - "not back until X" ("no estaré de vuelta hasta X") names the first day back: X.
 * A first-day-back cue beats an until cue, a full date beats a bare weekday, then the earlier one wins.
 * A date before the reply's local day, or more than a year after it, is ignored; a year-less date is
 * placed in whichever year puts it nearest the reply (so "back 2 January" received on 5 January is a
 * stale reply, past, rather than next year's).
 */

export type Language = 'en' | 'de' | 'fr' | 'es' | 'it' | 'nl' | 'pt';
export const LANGUAGES: readonly Language[] = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt'];

export interface ReturnDateOptions {
  /** When the reply arrived (ISO instant): "today", "next Monday" and past dates are relative to it. */
  receivedAt: string;
  /** IANA zone of the person; the date returned is a calendar day there. */
  timeZone: string;
  /** ISO 3166-1 alpha-2; US, CA and PH read "01/12" month first, everyone else day first. */
  country?: string;
  /** The reply's language, tried first. */
  language?: Language;
}

export interface ReturnDate {
  /** First day back, YYYY-MM-DD in `timeZone`. */
  date: string;
  /** The words the date was read from, e.g. "bis zum 12.01.". */
  phrase: string;
}

const QUOTE_MARKERS: readonly RegExp[] = [
  /^[ \t]*>/m,
  /^[ \t]*-{2,}[ \t]*(?:original message|ursprüngliche nachricht|originalnachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|forwarded message|weitergeleitete nachricht)/im,
  /^[ \t]*_{10,}[ \t]*$/m,
  /^[ \t]*(?:on|am|le|el|il|op|em)\s[^\n]*(?:\n[^\n]*)?(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)[^\n]*:[ \t]*$/im,
  /^[ \t]*(?:from|von|de|da|van)[ \t]*:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|verstuurd|to|an|à|para|a|aan|subject|betreff|objet|asunto|oggetto|onderwerp|assunto)[ \t]*:/im,
];

/** The reply's own words: everything before the first quote marker (">" lines, "On … wrote:", Outlook headers). */
export function ownText(text: string): string {
  let cut = text.length;
  for (const marker of QUOTE_MARKERS) {
    const found = marker.exec(text);
    if (found && found.index < cut) cut = found.index;
  }
  return text.slice(0, cut);
}

interface Reference {
  instant: Date;
  offsetMinutes: number;
  zone: string;
  today: DateTime;
}

interface Candidate {
  start: number;
  end: number;
  date: DateTime;
  dayCertain: boolean;
  /** The second date of a range: the last day away. */
  rangeEnd: boolean;
}

type Meaning = 'back' | 'until';

const PARSERS: Record<Language, Pick<chrono.Chrono, 'parse'>> = {
  en: chrono.en.casual,
  de: chrono.de.casual,
  fr: chrono.fr.casual,
  es: chrono.es.casual,
  it: chrono.it.casual,
  nl: chrono.nl.casual,
  pt: chrono.pt.casual,
};

function referenceOf(options: ReturnDateOptions): Reference {
  const received = DateTime.fromISO(options.receivedAt, { zone: options.timeZone });
  if (!received.isValid) throw new RangeError(`invalid receivedAt or timeZone: ${received.invalidExplanation}`);
  return {
    instant: received.toJSDate(),
    offsetMinutes: received.offset,
    zone: options.timeZone,
    today: received.startOf('day'),
  };
}

function dayOf(reference: Reference, year: number, month: number, day: number): DateTime | undefined {
  const date = DateTime.fromObject({ year, month, day }, { zone: reference.zone });
  return date.isValid ? date : undefined;
}

/** A year-less day and month in the year that puts it nearest the reply (ties go forward). */
function nearestOccurrence(reference: Reference, month: number, day: number): DateTime | undefined {
  const occurrences = [-1, 0, 1]
    .map((shift) => dayOf(reference, reference.today.year + shift, month, day))
    .filter((date): date is DateTime => date !== undefined);
  const distance = (date: DateTime) => Math.abs(date.diff(reference.today, 'days').days);
  return occurrences.reduce<DateTime | undefined>(
    (best, date) => (best === undefined || distance(date) <= distance(best) ? date : best),
    undefined,
  );
}

function componentsDate(reference: Reference, components: chrono.ParsedComponents): DateTime | undefined {
  const [year, month, day] = [components.get('year'), components.get('month'), components.get('day')];
  if (year === null || month === null || day === null) return undefined;
  const yearless = !components.isCertain('year') && components.isCertain('month') && components.isCertain('day');
  return yearless ? nearestOccurrence(reference, month, day) : dayOf(reference, year, month, day);
}

/** A reading that names a day, not just a time ("a 6", "at 10:30"). */
const namesADay = (components: chrono.ParsedComponents) =>
  components.isCertain('day') || components.isCertain('weekday');

/** Chrono's readings, one group per match (a range gives its start and its end). */
function chronoReadings(text: string, reference: Reference, languages: readonly Language[]): Candidate[][] {
  const groups: Candidate[][] = [];
  const chronoReference = { instant: reference.instant, timezone: reference.offsetMinutes };
  for (const language of languages) {
    for (const result of PARSERS[language].parse(text, chronoReference, { forwardDate: true })) {
      if (!namesADay(result.start)) continue;
      const span = { start: result.index, end: result.index + result.text.length };
      const group: Candidate[] = [];
      const start = componentsDate(reference, result.start);
      if (start) group.push({ ...span, date: start, dayCertain: result.start.isCertain('day'), rangeEnd: false });
      const end = result.end && componentsDate(reference, result.end);
      if (end) group.push({ ...span, date: end, dayCertain: result.end?.isCertain('day') ?? false, rangeEnd: true });
      if (group.length > 0) groups.push(group);
    }
  }
  return groups;
}

const MONTH_FIRST_COUNTRIES = new Set(['US', 'CA', 'PH']);
const ISO_DATE = /(?<![\d./-])(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d/-])/g;
const DOTTED_DATE =
  /(?<![\d.])(\d{1,2})\.\s?(\d{1,2})(?:\.(?:\s?(\d{4}|\d{2})(?![\d.]))?)?(?![\d])(?!\s*(?:uhr|h\b))/gi;
const SLASHED_DATE =
  /(?<![\d./-])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])|(?<![\d./-])(\d{1,2})-(\d{1,2})-(\d{4})(?![\d-])/g;

function fullYear(year: string): number {
  return year.length === 2 ? 2000 + Number(year) : Number(year);
}

/** Day and month of "a/b", in the country's order unless only the other order is a valid date. */
function slashedDayMonth(first: number, second: number, country: string | undefined): [number, number] {
  const monthFirst = MONTH_FIRST_COUNTRIES.has((country ?? '').toUpperCase());
  if (first > 12) return [first, second];
  if (second > 12) return [second, first];
  return monthFirst ? [second, first] : [first, second];
}

function numericCandidates(text: string, reference: Reference, country: string | undefined): Candidate[] {
  const found: Candidate[] = [];
  const add = (match: RegExpExecArray, day: number, month: number, year: string | undefined) => {
    const date = year ? dayOf(reference, fullYear(year), month, day) : nearestOccurrence(reference, month, day);
    if (date)
      found.push({ start: match.index, end: match.index + match[0].length, date, dayCertain: true, rangeEnd: false });
  };
  for (const match of text.matchAll(ISO_DATE)) add(match, Number(match[3]), Number(match[2]), match[1]);
  for (const match of text.matchAll(DOTTED_DATE)) add(match, Number(match[1]), Number(match[2]), match[3]);
  for (const match of text.matchAll(SLASHED_DATE)) {
    const [first, second, year] = match[1] ? [match[1], match[2], match[3]] : [match[4], match[5], match[6]];
    const [day, month] = slashedDayMonth(Number(first), Number(second), country);
    add(match, day, month, year);
  }
  return found;
}

/** Portuguese "em duas semanas", which chrono's pt locale does not read. */
const PT_RELATIVE = /(?<!\p{L})(?:em|daqui a)\s+(\d+|uma|um|duas|dois|três|quatro)\s+(semanas?|dias?)(?!\p{L})/giu;
const PT_NUMBERS: Record<string, number> = { um: 1, uma: 1, dois: 2, duas: 2, três: 3, quatro: 4 };

function portugueseRelativeCandidates(text: string, reference: Reference): Candidate[] {
  return [...text.matchAll(PT_RELATIVE)].map((match) => {
    const count = PT_NUMBERS[(match[1] ?? '').toLowerCase()] ?? Number(match[1]);
    const unit = (match[2] ?? '').toLowerCase().startsWith('semana') ? 'weeks' : 'days';
    const date = reference.today.plus({ [unit]: count });
    return { start: match.index, end: match.index + match[0].length, date, dayCertain: true, rangeEnd: false };
  });
}

const overlaps = (a: Candidate, b: Candidate) => a.start < b.end && b.start < a.end;

/**
 * Every dated span of the text. Numeric dates win over chrono's reading of the same characters; among
 * chrono's locales the longest reading wins ("22 décembre au 4 janvier" in French over "22 d" in English),
 * then the language tried first.
 */
function candidatesOf(text: string, reference: Reference, options: ReturnDateOptions): Candidate[] {
  const preferred = options.language ? [options.language] : [];
  const languages = [...new Set<Language>([...preferred, 'en', ...LANGUAGES])];
  const kept = [
    ...numericCandidates(text, reference, options.country),
    ...portugueseRelativeCandidates(text, reference),
  ];
  const length = (group: Candidate[]) => (group[0] ? group[0].end - group[0].start : 0);
  const groups = chronoReadings(text, reference, languages).sort((a, b) => length(b) - length(a));
  for (const group of groups) {
    if (!group.some((candidate) => kept.some((other) => overlaps(candidate, other)))) kept.push(...group);
  }
  return kept.sort((a, b) => a.start - b.start);
}

const LETTER_BEFORE = '(?<!\\p{L})';
const LETTER_AFTER = '(?!\\p{L})';
const words = (list: readonly string[], flags = 'giu') =>
  new RegExp(`${LETTER_BEFORE}(?:${list.join('|')})${LETTER_AFTER}`, flags);

const BACK_CUES = words([
  'back(?!\\s+to\\s+(?:you|me|us))',
  'return(?:ing|s)?',
  'available again',
  'zurück',
  'wieder',
  'rückkehr',
  'de retour',
  'retour',
  'reviens',
  'reviendrai',
  'rentrerai',
  'de vuelta',
  'de regreso',
  'regreso',
  'regresaré',
  'vuelvo',
  'volveré',
  'reincorpor\\p{L}*',
  'rientr\\p{L}*',
  'di ritorno',
  'ritorno',
  'tornerò',
  'terug',
  'weer',
  'de volta',
  'regress\\p{L}*',
  'retorno',
  'retornarei',
  'volto',
  'voltarei',
]);
const UNTIL_CUES = words([
  'until',
  'till',
  'til',
  'through',
  'thru',
  'to and including',
  'bis',
  "jusqu['’]\\s?(?:au|à|a)",
  'hasta',
  "fino\\s+(?:al|a|all['’])",
  'sino\\s+al',
  'tot(?:\\s+en\\s+met)?',
  't/m',
  'até',
]);
const NEGATION = words(
  ['not', "n't", "won[’']t", 'nicht', 'erst', 'pas', 'no', 'non', 'niet', 'não', 'só', 'solo', 'only'],
  'iu',
);
const BACK_AFTER = new RegExp(
  `^[\\s,]*(?:\\p{L}+\\s+){0,3}?(?:wieder|weer|zurück|terug|de retour|di ritorno|de volta|de vuelta|de regreso)${LETTER_AFTER}`,
  'iu',
);
const RANGE_GAP =
  /^[\s,]*(?:inclus\p{L}*|einschließlich)?[\s,]*(?:-|–|—|to|au|al|a|ao|bis|tot(?:\s+en\s+met)?|t\/m|até|through|thru|till|until|hasta|fino\s+al)\s*(?:the|le|el|il|o|dia|dem|den|zum)?\s*$/iu;
/** "del 21 al 31 de diciembre": a bare day number opens the range (chrono's es locale misses it). */
const BARE_DAY_RANGE_START =
  /(?<![\d.:/])\d{1,2}\.?\s*(?:-|–|—|to|au|al|a|ao|bis|tot(?:\s+en\s+met)?|t\/m|até|through|thru|till|until|hasta|fino\s+al)\s*$/iu;
const SENTENCE_END = /[!?;]\s|\.\s+(?=\p{Lu})|\n\s*\n/gu;

function clauseBefore(text: string, position: number): { from: number; words: string } {
  const windowStart = Math.max(0, position - 100);
  const boundaries = [...text.slice(windowStart, position).matchAll(SENTENCE_END)];
  const last = boundaries.at(-1);
  const from = last ? windowStart + last.index + last[0].length : windowStart;
  return { from, words: text.slice(from, position) };
}

function lastMatch(pattern: RegExp, words: string): RegExpExecArray | undefined {
  return [...words.matchAll(pattern)].at(-1);
}

interface Cue {
  meaning: Meaning;
  phrase: string;
}

/** What the words around a date say it is: the first day back, the last day away, or nothing. */
function cueOf(text: string, candidate: Candidate, previous: Candidate | undefined): Cue | undefined {
  const dateText = text.slice(candidate.start, candidate.end);
  if (candidate.rangeEnd) return { meaning: 'until', phrase: dateText };
  if (previous && previous.end <= candidate.start && RANGE_GAP.test(text.slice(previous.end, candidate.start))) {
    return { meaning: 'until', phrase: text.slice(previous.start, candidate.end) };
  }
  const clause = clauseBefore(text, candidate.start);
  const bareDayRange = BARE_DAY_RANGE_START.exec(clause.words);
  if (bareDayRange) return { meaning: 'until', phrase: text.slice(clause.from + bareDayRange.index, candidate.end) };
  const back = lastMatch(BACK_CUES, clause.words);
  const until = lastMatch(UNTIL_CUES, clause.words);
  const phraseFrom = (cue: RegExpExecArray) => text.slice(clause.from + cue.index, candidate.end);
  if (until && (!back || until.index > back.index)) {
    const notBackUntil = back && NEGATION.test(clause.words.slice(0, until.index));
    return { meaning: notBackUntil ? 'back' : 'until', phrase: phraseFrom(notBackUntil ? back : until) };
  }
  if (back) return { meaning: 'back', phrase: phraseFrom(back) };
  const after = text.slice(candidate.end, candidate.end + 40).split(/[,;:!?]|\.\s/)[0] ?? '';
  const backAfter = BACK_AFTER.exec(after);
  if (backAfter) return { meaning: 'back', phrase: text.slice(candidate.start, candidate.end + backAfter[0].length) };
  return undefined;
}

interface Reading extends ReturnDate {
  rank: number;
  start: number;
}

/**
 * The first day back named in an out-of-office text, or undefined when it names none (the caller then
 * applies its default). Only the text before any quoted original is read.
 */
export function readReturnDate(text: string, options: ReturnDateOptions): ReturnDate | undefined {
  const reference = referenceOf(options);
  const own = ownText(text);
  const latest = reference.today.plus({ years: 1 });
  const candidates = candidatesOf(own, reference, options);
  const readings: Reading[] = [];
  candidates.forEach((candidate, index) => {
    if (candidate.date < reference.today || candidate.date > latest) return;
    const cue = cueOf(own, candidate, candidates[index - 1]);
    if (!cue) return;
    const firstDayBack = cue.meaning === 'until' ? candidate.date.plus({ days: 1 }) : candidate.date;
    const rank = (cue.meaning === 'back' ? 2 : 0) + (candidate.dayCertain ? 1 : 0);
    readings.push({ date: firstDayBack.toISODate() ?? '', phrase: cue.phrase.trim(), rank, start: candidate.start });
  });
  const best = readings.sort((a, b) => b.rank - a.rank || a.start - b.start)[0];
  return best && { date: best.date, phrase: best.phrase };
}
