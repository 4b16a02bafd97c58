import type { CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import type { FieldRole, FormField, FormKind, ParsedForm } from './form-model';

/**
 * What kind of form a form is (contact, newsletter, search, login…) and how much it looks like a contact
 * form, so that a page's best contact-form candidate comes first.
 */

const SEARCH_NAMES = /^(s|q|query|search|keywords?|term|search_query|searchterm)$/i;
const NEWSLETTER =
  /newsletter|subscribe|subscription|list-manage|mailchimp|mc-embedded|mc4wp|sign ?up|klaviyo|convertkit|mailerlite|sendinblue|brevo|substack|opt-?in/i;
const COMMENT = /wp-comments-post|commentform|comment-form|comment_post_id/i;
const CONTACT =
  /contact|enquir|inquir|wpcf7|gform|wpforms|formspree|hubspot|get in touch|talk to|kontakt|contacto|contato|contatti|quote|sales|問い?合わ?せ/i;

const KIND_RANK: Record<FormKind, number> = { contact: 0, other: 1, comment: 2, newsletter: 3, login: 4, search: 5 };
const KIND_PENALTY: Record<FormKind, number> = {
  contact: 0,
  other: 10,
  comment: 20,
  newsletter: 30,
  login: 50,
  search: 50,
};
const NEWSLETTER_ROLES: readonly FieldRole[] = ['email', 'name', 'first_name', 'last_name', 'consent'];

/** What the form says about itself: its attributes and its wrapper's id and class. */
function formAttributesText($: CheerioAPI, form: Element): string {
  const attributes = ['id', 'class', 'name', 'action', 'aria-label', 'data-form-type', 'role'];
  const values = attributes.map((attr) => form.attribs[attr] ?? '');
  const wrapper = $(form).parent();
  values.push(wrapper.attr('id') ?? '', wrapper.attr('class') ?? '');
  return values.join(' ');
}

function submitText($: CheerioAPI, form: Element): string {
  const buttons = $(form).find('button, input[type="submit"]').toArray();
  return buttons.map((button) => `${button.attribs.value ?? ''} ${$(button).text()}`).join(' ');
}

/** The facts about a form that decide its kind and score. */
interface FormTraits {
  form: Element;
  fields: FormField[];
  /** Fields a person sees and fills. */
  visible: FormField[];
  attrs: string;
  buttons: string;
  has(role: FieldRole): boolean;
  hasMessage: boolean;
  hasName: boolean;
}

function readTraits($: CheerioAPI, form: Element, fields: FormField[]): FormTraits {
  const visible = fields.filter((field) => !['hidden', 'honeypot'].includes(field.role) && field.type !== 'submit');
  const has = (role: FieldRole) => visible.some((field) => field.role === role);
  return {
    form,
    fields,
    visible,
    attrs: formAttributesText($, form),
    buttons: submitText($, form),
    has,
    hasMessage: has('message'),
    hasName: has('name') || has('first_name') || has('last_name'),
  };
}

function isSearch({ form, fields, visible, attrs, hasMessage }: FormTraits): boolean {
  return (
    form.attribs.role === 'search' ||
    fields.some((field) => field.type === 'search') ||
    (!hasMessage && visible.length <= 2 && visible.some((field) => SEARCH_NAMES.test(field.name))) ||
    (/search/i.test(attrs) && !hasMessage)
  );
}

function isNewsletter({ visible, attrs, buttons, has, hasMessage }: FormTraits): boolean {
  if (hasMessage) return false;
  if (NEWSLETTER.test(attrs) || NEWSLETTER.test(buttons)) return true;
  return has('email') && visible.every((field) => NEWSLETTER_ROLES.includes(field.role));
}

function isContact({ attrs, has, hasMessage, hasName }: FormTraits): boolean {
  if (hasMessage || (has('email') && hasName && (has('subject') || has('phone') || has('company')))) return true;
  return CONTACT.test(attrs) && (has('email') || has('phone'));
}

function formKind(traits: FormTraits): FormKind {
  const { fields, attrs } = traits;
  if (fields.some((field) => field.type === 'password')) return 'login';
  if (isSearch(traits)) return 'search';
  if (COMMENT.test(attrs) || fields.some((field) => COMMENT.test(field.name))) return 'comment';
  if (isNewsletter(traits)) return 'newsletter';
  return isContact(traits) ? 'contact' : 'other';
}

function formScore({ form, attrs, has, hasMessage, hasName }: FormTraits, kind: FormKind): number {
  let score = 0;
  if (hasMessage) score += 10;
  if (has('email')) score += 5;
  if (hasName) score += 3;
  if (has('subject')) score += 2;
  if (has('phone')) score += 1;
  if (has('company')) score += 1;
  if (CONTACT.test(attrs)) score += 4;
  if ((form.attribs.method ?? '').toLowerCase() === 'post') score += 2;
  return score - KIND_PENALTY[kind];
}

export function classifyForm($: CheerioAPI, form: Element, fields: FormField[]): { kind: FormKind; score: number } {
  const traits = readTraits($, form, fields);
  const kind = formKind(traits);
  return { kind, score: formScore(traits, kind) };
}

/** Contact forms first, then by score; forms alike keep the page's order. */
export function rankForms(forms: ParsedForm[]): ParsedForm[] {
  return forms
    .map((form, index) => ({ form, index }))
    .sort((a, b) => KIND_RANK[a.form.kind] - KIND_RANK[b.form.kind] || b.form.score - a.form.score || a.index - b.index)
    .map((entry) => entry.form);
}
