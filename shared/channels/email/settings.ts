import { hasControlCharacters, SINGLE_LINE_MESSAGE } from '#shared/mail/header';

/**
 * Channel settings that reach a mail header, and what each must look like. The API refuses a config that
 * breaks these rules (400 naming `settings.<key>`); the SES adapter checks them again before sending, as a
 * config stored before these rules existed may still break them.
 */

/** SES configuration-set names: letters, digits, `_` and `-`, at most 64 characters (SES ConfigurationSet). */
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A host name: dot-separated labels of letters, digits and inner hyphens (RFC 1035), at most 253 characters. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);

interface HeaderSettingRule {
  test: (value: string) => boolean;
  message: string;
  /** An empty string means "not set" (the sender's own reply-to is used). */
  emptyMeansUnset?: boolean;
}

/** A Map, so a setting named `toString` or `__proto__` finds no rule. */
export const HEADER_SETTINGS: ReadonlyMap<string, HeaderSettingRule> = new Map([
  [
    // The reply address `reply+<lead>.<message>@<replyDomain>` (Reply-To).
    'replyDomain',
    {
      test: (value: string) => DOMAIN_NAME.test(value),
      message: 'must be a domain name like replies.example.com',
      emptyMeansUnset: true,
    },
  ],
  [
    // SES writes it into the X-SES-CONFIGURATION-SET header; SES events depend on it.
    'configurationSet',
    {
      test: (value: string) => CONFIGURATION_SET_NAME.test(value),
      message: 'must be 1–64 letters, digits, - or _ (an SES configuration set name)',
    },
  ],
]);

export interface SettingProblem {
  key: string;
  message: string;
}

/** Why one setting cannot be used, if it cannot. */
export function settingProblem(key: string, value: unknown): string | undefined {
  if (typeof value === 'string' && hasControlCharacters(value)) return SINGLE_LINE_MESSAGE;
  const rule = HEADER_SETTINGS.get(key);
  if (!rule || value === undefined) return undefined;
  if (typeof value !== 'string') return 'must be text';
  if (value === '' && rule.emptyMeansUnset) return undefined;
  return rule.test(value) ? undefined : rule.message;
}

/**
 * Problems with channel settings: a setting is a name, an id, a domain, a key or a flag, never multi-line
 * text, so no string setting may hold control characters; the header-bound ones must also match their rule.
 */
export function settingProblems(settings: Readonly<Record<string, unknown>>): SettingProblem[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    const message = settingProblem(key, value);
    return message ? [{ key, message }] : [];
  });
}
