import type { CheerioAPI } from 'cheerio/slim';
import type { Control, Hints } from './controls';
import type { FieldRole } from './form-model';
import { normalizeHint } from './page-context';

/**
 * Which role a control plays (name, email, message, consent…) and whether the form requires it, read from
 * its type, its autocomplete token and the words around it.
 */

/**
 * Role words, most specific first, on normalised text (lower case, Latin accents removed). English, German,
 * French, Spanish, Portuguese, Italian and Dutch words, and Japanese ones (no word boundaries there).
 */
const ROLE_PATTERNS: Array<[FieldRole, RegExp]> = [
  [
    'first_name',
    /\b(first|given|fore) ?name\b|\bfname\b|\bvorname\b|\bprenom\b|\bvoornaam\b|\bprimeiro nome\b|^first\b|^名$/,
  ],
  [
    'last_name',
    /\b(last|family|sur) ?name\b|\blname\b|\bnachname\b|\bachternaam\b|\bapellidos?\b|\bsobrenome\b|\bcognome\b|^last\b|^nom de famille\b|^姓$/,
  ],
  [
    'email',
    /\be ?mail\b|\bemail address\b|\breply ?to\b|\bmail\b|\bcourriel\b|\bcorreo\b|\bindirizzo (di )?posta\b|メール/,
  ],
  [
    'phone',
    /\b(phone|telephone|tel|mobile|cell|telefon|telefono|telefone|telefoon|telemovel|celular|movil|phone number|phonenumber|whatsapp)\b|電話/,
  ],
  [
    'company',
    /\b(company|companyname|organi[sz]ation|business|employer|firm|firma|unternehmen|entreprise|societe|empresa|azienda|societa|bedrijf|org)\b|会社|社名|法人名|企業名/,
  ],
  [
    'subject',
    /\b(subject|topic|regarding|betreff|objet|sujet|asunto|assunto|oggetto|onderwerp|reason|inquiry type|enquiry type)\b|件名|題名|種別|ご用件/,
  ],
  [
    'message',
    /\b(message|messages|msg|comment|comments|enquiry|inquiry|question|questions|details|body|description|nachricht|mensaje|mensagem|messaggio|bericht|consulta|how can we help|tell us|project|notes?)\b|お問い?合わ?せ内容|本文|メッセージ|内容/,
  ],
  ['name', /\b(name|fullname|full name|your name|contact person|nom|nombre|nome|naam)\b|氏名|名前/],
];

const AUTOCOMPLETE_ROLES: Record<string, FieldRole> = {
  name: 'name',
  'given-name': 'first_name',
  'family-name': 'last_name',
  email: 'email',
  tel: 'phone',
  'tel-national': 'phone',
  organization: 'company',
};

const CONSENT =
  /agree|consent|accept|privacy|terms|gdpr|policy|permission|acknowledge|einwillig|datenschutz|zustimm|akzeptier|acepto|aceito|accetto|privacidad|privacidade|informativa|akkoord|同意|個人情報|プライバシー/;
/** Optional marketing opt-ins are not consent to process the message: they stay unticked. */
const MARKETING = /newsletter|marketing|subscribe|digest|updates|promotion|offers|opt ?in/;
/** Words that make even a one-line input the message; weaker ones ("Project", "Notes") only name a textarea. */
const STRONG_MESSAGE = /\b(message|msg|comments?|enquiry|inquiry|questions?|how can we help|nachricht)\b/;

export function roleFromText(text: string): FieldRole | undefined {
  const normalized = normalizeHint(text).replace(/\*/g, ' ').trim();
  if (!normalized) return undefined;
  for (const [role, pattern] of ROLE_PATTERNS) if (pattern.test(normalized)) return role;
  return undefined;
}

function checkboxRole(control: Control, hints: Hints): FieldRole {
  const { el, name } = control;
  const text = normalizeHint(`${hints.label} ${hints.aria} ${name} ${hints.container}`);
  const required = el.attribs.required !== undefined || el.attribs['aria-required'] === 'true';
  return CONSENT.test(text) && (required || !MARKETING.test(text)) ? 'consent' : 'other';
}

/** The role the words around a control give it, the closest words first. */
function roleFromHints(control: Control, hints: Hints): FieldRole {
  const { el, type, name } = control;
  const sources = [hints.label, hints.aria, hints.placeholder, hints.title, name, el.attribs.id ?? ''];
  const choice = control.tag === 'select' || type === 'radio';
  for (const [index, source] of [...sources, hints.legend, hints.container].entries()) {
    // Field wrappers and legends only speak for controls that have nothing better.
    if (index === sources.length && control.tag === 'textarea') return 'message';
    const role = roleFromText(source);
    if (!role) continue;
    // A list of options can hold a topic, not a name, an address or the message itself.
    if (choice) return role === 'subject' ? 'subject' : 'other';
    // "Project", "Details", "Notes" make a textarea the message, not a one-line input.
    if (role === 'message' && control.tag !== 'textarea' && !STRONG_MESSAGE.test(normalizeHint(source))) continue;
    return role;
  }
  return control.tag === 'textarea' ? 'message' : 'other';
}

export function decideRole(control: Control, hints: Hints, honeypot: boolean): FieldRole {
  const { el, type } = control;
  if (honeypot) return 'honeypot';
  if (type === 'hidden') return 'hidden';
  if (type === 'submit' || type === 'file' || type === 'password') return 'other';
  if (type === 'checkbox') return checkboxRole(control, hints);
  if (type === 'email') return 'email';
  if (type === 'tel') return 'phone';
  const autocomplete = (el.attribs.autocomplete ?? '').toLowerCase().trim().split(/\s+/).pop() ?? '';
  return AUTOCOMPLETE_ROLES[autocomplete] ?? roleFromHints(control, hints);
}

export function isRequired($: CheerioAPI, control: Control, hints: Hints, role: FieldRole): boolean {
  if (role === 'hidden' || role === 'honeypot' || control.type === 'submit') return false;
  const { attribs } = control.el;
  if (attribs.required !== undefined || attribs['aria-required'] === 'true') return true;
  // Contact Form 7 acceptance boxes must be ticked unless the form marks them `optional`.
  const acceptance = $(control.el).closest('.wpcf7-acceptance');
  if (control.type === 'checkbox' && acceptance.length > 0 && !acceptance.hasClass('optional')) return true;
  const classes = (attribs.class ?? '').split(/\s+/);
  if (classes.some((cls) => /^(required|is-required|wpcf7-validates-as-required)$/.test(cls))) return true;
  return hints.labelRequired;
}
