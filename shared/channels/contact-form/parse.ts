import { type Cheerio, type CheerioAPI, load } from 'cheerio/slim';
import type { Element } from 'domhandler';

/**
 * Finds the forms on a page, maps their fields to roles and ranks the best contact-form candidate first
 * (docs/product.md §2 CONTACT_FORM, §7 `cascade form inspect`). Pure: no I/O.
 */

export const FIELD_ROLES = [
  'name',
  'first_name',
  'last_name',
  'email',
  'company',
  'phone',
  'subject',
  'message',
  'consent',
  'honeypot',
  'hidden',
  'other',
] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

export const PROTECTIONS = ['recaptcha', 'hcaptcha', 'turnstile', 'honeypot', 'js_token'] as const;
export type Protection = (typeof PROTECTIONS)[number];
export const CAPTCHA_PROTECTIONS: readonly Protection[] = ['recaptcha', 'hcaptcha', 'turnstile'];
/** Protections the channel never works around: a form guarded by one is left to a person (`form_spam_protected`). */
export const BLOCKING_PROTECTIONS: readonly Protection[] = [...CAPTCHA_PROTECTIONS, 'js_token'];

export type FormKind = 'contact' | 'other' | 'comment' | 'newsletter' | 'login' | 'search';

export interface FormField {
  name: string;
  /** Input type (`text`, `email`, `hidden`, `checkbox`…), or `textarea` / `select`. */
  type: string;
  role: FieldRole;
  required: boolean;
  /** The value the page gives the control (hidden fields, checkbox/radio values, the selected option). */
  value?: string;
  label?: string;
  /** Allowed values of a select, radio group or checkbox group. */
  options?: string[];
  /** For checkboxes and radios: whether the page pre-checks one. */
  checked?: boolean;
  maxLength?: number;
}

export interface ParsedForm {
  /** Absolute URL the form submits to (fragment kept as the page gives it). */
  action: string;
  method: 'GET' | 'POST' | 'DIALOG';
  enctype: 'application/x-www-form-urlencoded' | 'multipart/form-data' | 'text/plain';
  fields: FormField[];
  protections: Protection[];
  /** True when the contact-form channel may fill and submit this form. */
  submittable: boolean;
  reason?: string;
  kind: FormKind;
  score: number;
}

const KIND_RANK: Record<FormKind, number> = { contact: 0, other: 1, comment: 2, newsletter: 3, login: 4, search: 5 };

/** Parse every form of a page; the best contact-form candidate comes first. */
export function parseForms(html: string, pageUrl: string): ParsedForm[] {
  const $ = load(html);
  const base = resolveUrl($('base[href]').first().attr('href'), pageUrl) ?? pageUrl;
  const page: PageContext = { labelsFor: collectLabels($), ...hiddenByStylesheet($) };
  const pageCaptchas = pageLevelCaptchas($);
  const formEls = $('form').toArray();
  const inFormCaptchas = formEls.map((form) => formCaptchas($, form));
  const scriptTokens = scriptInsertedTokens($, formEls);

  const parsed = formEls.map((form, index) => {
    const own = inFormCaptchas[index] ?? new Set<Protection>();
    const captchas = new Set(own);
    for (const captcha of pageCaptchas) {
      // A page-level captcha belongs to the form that hosts its widget; otherwise it guards every form.
      const claimedElsewhere = inFormCaptchas.some((set, other) => other !== index && set.has(captcha));
      if (!claimedElsewhere) captchas.add(captcha);
    }
    if (scriptTokens.has(form)) captchas.add('js_token');
    return { index, form: parseForm($, form, base, page, captchas) };
  });
  parsed.sort(
    (a, b) => KIND_RANK[a.form.kind] - KIND_RANK[b.form.kind] || b.form.score - a.form.score || a.index - b.index,
  );
  return parsed.map((entry) => entry.form);
}

// ---------------------------------------------------------------------------------------------------------
// Text helpers

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Lower-case words: `firstName` → `first name`, `your-email` → `your email`, `input_1.3` → `input 1 3`. */
export function normalizeHint(text: string): string {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .normalize('NFD')
    .replace(/([a-z])\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}*]+/gu, ' ')
    .trim();
}

function resolveUrl(href: string | undefined, base: string): string | undefined {
  if (href === undefined) return undefined;
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return undefined;
  }
}

/** Text of an element without the text of the controls it contains. */
function ownText(_$: CheerioAPI, el: Cheerio<Element>): string {
  const clone = el.clone();
  clone.find('input, select, textarea, button, script, style, option').remove();
  return squash(clone.text());
}

interface PageContext {
  labelsFor: Map<string, Element[]>;
  /** Classes and ids a `<style>` block of the page hides (`.hp-wrap { display: none }`). */
  hiddenClasses: Set<string>;
  hiddenIds: Set<string>;
}

function collectLabels($: CheerioAPI): Map<string, Element[]> {
  const map = new Map<string, Element[]>();
  $('label[for]').each((_, label) => {
    const target = label.attribs.for;
    if (!target) return;
    const list = map.get(target) ?? [];
    list.push(label);
    map.set(target, list);
  });
  return map;
}

/** Simple `.class` / `#id` selectors whose rule hides the element: honeypot wrappers are often hidden this way. */
function hiddenByStylesheet($: CheerioAPI): Pick<PageContext, 'hiddenClasses' | 'hiddenIds'> {
  const hiddenClasses = new Set<string>();
  const hiddenIds = new Set<string>();
  const css = $('style')
    .toArray()
    .map((style) => $(style).text())
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  for (const rule of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    if (!styleHides(rule[2]?.replace(/!important/g, ''))) continue;
    for (const selector of (rule[1] ?? '').split(',')) {
      // Only the last compound of the selector names the hidden element: `form .hp input` → skip, `.hp` → keep.
      const match = selector.trim().match(/^[a-z]*([.#])([\w-]+)$/i);
      if (!match?.[2]) continue;
      (match[1] === '.' ? hiddenClasses : hiddenIds).add(match[2]);
    }
  }
  return { hiddenClasses, hiddenIds };
}

// ---------------------------------------------------------------------------------------------------------
// Captchas

const CAPTCHA_SCRIPTS: Array<[Protection, RegExp]> = [
  ['recaptcha', /google\.com\/recaptcha|recaptcha\.net|gstatic\.com\/recaptcha|grecaptcha\.(execute|render|ready)/i],
  ['hcaptcha', /hcaptcha\.com|hcaptcha\.(execute|render)/i],
  ['turnstile', /challenges\.cloudflare\.com\/turnstile|turnstile\.(render|execute)/i],
];

const CAPTCHA_WIDGETS: Array<[Protection, string]> = [
  [
    'recaptcha',
    '.g-recaptcha, [name="g-recaptcha-response"], #g-recaptcha-response, [name="_wpcf7_recaptcha_response"], [data-netlify-recaptcha], .grecaptcha-badge',
  ],
  ['hcaptcha', '.h-captcha, [name="h-captcha-response"]'],
  ['turnstile', '.cf-turnstile, [name="cf-turnstile-response"]'],
];

function pageLevelCaptchas($: CheerioAPI): Set<Protection> {
  const found = new Set<Protection>();
  $('script').each((_, script) => {
    const text = `${script.attribs.src ?? ''} ${$(script).text()}`;
    for (const [kind, pattern] of CAPTCHA_SCRIPTS) if (pattern.test(text)) found.add(kind);
  });
  for (const [kind, selector] of CAPTCHA_WIDGETS) if ($(selector).length > 0) found.add(kind);
  return found;
}

function formCaptchas($: CheerioAPI, form: Element): Set<Protection> {
  const found = new Set<Protection>();
  const $form = $(form);
  for (const [kind, selector] of CAPTCHA_WIDGETS) if ($form.find(selector).length > 0) found.add(kind);
  if ($form.is('[data-netlify-recaptcha]')) found.add('recaptcha');
  $form.find('script').each((_, script) => {
    const text = `${script.attribs.src ?? ''} ${$(script).text()}`;
    for (const [kind, pattern] of CAPTCHA_SCRIPTS) if (pattern.test(text)) found.add(kind);
  });
  return found;
}

const INSERTS_INPUT =
  /createElement\(\s*['"]input['"]\s*\)|insertAdjacentHTML\([^)]*<input|\.append(Child)?\([^)]*<input/i;
const TOKEN_WORDS = /token|nonce|antispam|anti-spam|anti_spam|honeypot|js_?check|bot_?check|timestamp|challenge/i;

/**
 * Forms a page script adds a token field to at run time (`form.appendChild(input)` with a token-ish name):
 * the page as fetched lacks a value a browser would send, so the form cannot be submitted without running it.
 */
function scriptInsertedTokens($: CheerioAPI, forms: Element[]): Set<Element> {
  const found = new Set<Element>();
  for (const script of $('script:not([src])').toArray()) {
    const text = $(script).text();
    if (!INSERTS_INPUT.test(text) || !TOKEN_WORDS.test(text)) continue;
    const named = forms.filter((form) => {
      const id = form.attribs.id;
      const name = form.attribs.name;
      // Ids and names short enough to occur by chance ("f", "cf") do not count as a mention.
      return (
        (id !== undefined && id.length > 2 && text.includes(id)) ||
        (name !== undefined && name.length > 2 && text.includes(name))
      );
    });
    for (const form of named.length > 0 ? named : forms) found.add(form);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Controls

interface Control {
  el: Element;
  tag: 'input' | 'select' | 'textarea' | 'button';
  type: string;
  name: string;
}

const SKIPPED_INPUT_TYPES = new Set(['reset', 'button', 'image']);

function isDisabled($: CheerioAPI, el: Element): boolean {
  if (el.attribs.disabled !== undefined) return true;
  return $(el).closest('fieldset[disabled]').length > 0;
}

function controlType(el: Element): string {
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea') return 'textarea';
  if (tag === 'select') return 'select';
  if (tag === 'button') return (el.attribs.type ?? 'submit').toLowerCase();
  return (el.attribs.type ?? 'text').toLowerCase().trim() || 'text';
}

function formControls($: CheerioAPI, form: Element): Control[] {
  const formId = form.attribs.id;
  const inside = $(form)
    .find('input, select, textarea, button')
    .toArray()
    .filter((el) => el.attribs.form === undefined || el.attribs.form === formId);
  const outside = formId
    ? $('input[form], select[form], textarea[form], button[form]')
        .toArray()
        .filter((el) => el.attribs.form === formId && !inside.includes(el))
    : [];
  const controls: Control[] = [];
  let submitterSeen = false;
  for (const el of [...inside, ...outside]) {
    const tag = el.tagName.toLowerCase() as Control['tag'];
    const type = controlType(el);
    const isSubmit = type === 'submit' && (tag === 'button' || tag === 'input');
    if (isSubmit) {
      // The browser sends only the default (first) submit button, and only when it has a name.
      if (submitterSeen) continue;
      submitterSeen = true;
    } else if (tag === 'button' || SKIPPED_INPUT_TYPES.has(type)) {
      continue;
    }
    const name = el.attribs.name;
    if (!name || isDisabled($, el)) continue;
    controls.push({ el, tag, type, name });
  }
  return controls;
}

// ---------------------------------------------------------------------------------------------------------
// Hints and roles

interface Hints {
  label: string;
  aria: string;
  placeholder: string;
  title: string;
  legend: string;
  container: string;
  labelRequired: boolean;
}

function findById($: CheerioAPI, id: string): Cheerio<Element> {
  return $('[id]').filter((_, el) => el.attribs.id === id);
}

/** The largest ancestor inside the form that wraps only this control: its field wrapper. */
function fieldContainer($: CheerioAPI, el: Element, form: Element): Cheerio<Element> | undefined {
  let best: Cheerio<Element> | undefined;
  let current = el.parent;
  while (current && current !== form && current.type === 'tag') {
    const wrapper = $(current as Element);
    const controls = wrapper
      .find('input, select, textarea')
      .toArray()
      .filter((control) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(controlType(control)));
    const names = new Set(controls.map((control) => control.attribs.name));
    if (names.size > 1) break;
    best = wrapper;
    current = current.parent;
  }
  return best;
}

function collectHints($: CheerioAPI, el: Element, form: Element, labelsFor: Map<string, Element[]>): Hints {
  const labels: Element[] = [];
  const id = el.attribs.id;
  if (id) labels.push(...(labelsFor.get(id) ?? []));
  const wrapping = $(el).closest('label').toArray()[0];
  if (wrapping && wrapping !== el) labels.push(wrapping as Element);
  const labelText = squash(labels.map((label) => ownText($, $(label))).join(' '));
  const labelRequired =
    /\*/.test(labelText) ||
    labels.some((label) => $(label).find('.required, .gfield_required, abbr[title]').length > 0);

  let aria = el.attribs['aria-label'] ?? '';
  const labelledBy = el.attribs['aria-labelledby'];
  if (labelledBy) {
    const parts = labelledBy
      .split(/\s+/)
      .filter(Boolean)
      .map((ref) => ownText($, findById($, ref)));
    aria = squash(`${aria} ${parts.join(' ')}`);
  }
  const fieldset = $(el).closest('fieldset');
  const legend = fieldset.length > 0 ? ownText($, fieldset.children('legend').first()) : '';
  const container = fieldContainer($, el, form);
  return {
    label: labelText,
    aria,
    placeholder: el.attribs.placeholder ?? '',
    title: el.attribs.title ?? '',
    legend,
    container: container ? ownText($, container).slice(0, 300) : '',
    labelRequired,
  };
}

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

export function roleFromText(text: string): FieldRole | undefined {
  const normalized = normalizeHint(text).replace(/\*/g, ' ').trim();
  if (!normalized) return undefined;
  for (const [role, pattern] of ROLE_PATTERNS) if (pattern.test(normalized)) return role;
  return undefined;
}

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

// ---------------------------------------------------------------------------------------------------------
// Honeypots

/** Known honeypot names: Formspree `_gotcha`, Mailchimp `b_<u>_<id>`, WPForms `wpforms[hp]`, Formidable `frm_verify`… */
const HONEYPOT_NAMES =
  /^(_gotcha|_honey|_hp|bot-field|honeypot|hp|hpot|ak_hp_textarea|fax_only|url_check|frm_verify|wpforms\[hp\])$/i;
const HONEYPOT_NAME_PARTS = /honeypot|honey_pot|hpot|^hp[_-]|[_-]hp$|\[hp\]$|^b_[a-z0-9]+_[a-z0-9]+$/i;
const BAIT_NAMES = /^(your-)?(website|url|homepage|web|site|fax|address2|middle[-_]?name|nickname)$/i;
const HIDDEN_CLASSES = /^(hidden|hide|d-none|is-hidden|invisible|sr-only-hp)$/i;
const HONEYPOT_CLASSES =
  /honeypot|honey-pot|hpot|^hp$|^hp-|-hp$|ohnohoney|gform_validation_container|gfield--type-honeypot|wpforms-field-hp|nf-field-hp|elementor-field-type-honeypot|^frm_verify$/i;
/** Controls a person types into: the only kind a honeypot is made of. */
const TYPED = new Set(['text', 'email', 'tel', 'url', 'number', 'search', 'textarea']);
const LEAVE_BLANK =
  /leave (this )?(field )?(blank|empty|unchanged)|should be left (blank|empty|unchanged)|if you are (a )?human|do ?n[o']t fill|not fill (this|in)|for validation purposes/i;

function styleHides(style: string | undefined): boolean {
  if (!style) return false;
  const s = style.toLowerCase().replace(/\s+/g, '');
  if (/display:none|visibility:hidden|opacity:0(\.0+)?(;|$)/.test(s)) return true;
  if (/(left|top|right|text-indent):-\d{3,}/.test(s)) return true;
  if (/(height|max-height):0(px)?(;|$)/.test(s) && /overflow:hidden/.test(s)) return true;
  if (/(^|;)width:0(px)?(;|$)/.test(s) && /(^|;)height:0(px)?(;|$)/.test(s)) return true;
  if (/transform:scale\(0\)/.test(s)) return true;
  return /clip:rect\(0/.test(s);
}

/**
 * A field a person cannot see or reach, there to catch bots: filling it marks the submission as spam, whatever
 * its label says ("Phone", "Email"). Hidden inputs are the builder's own fields, never honeypots by markup.
 */
function isHoneypot(
  $: CheerioAPI,
  control: Control,
  form: Element,
  hints: Hints,
  netlifyHoneypot: string | undefined,
  page: PageContext,
): boolean {
  const { el, name } = control;
  if (netlifyHoneypot && name === netlifyHoneypot) return true;
  if (HONEYPOT_NAMES.test(name) || HONEYPOT_NAME_PARTS.test(name)) return true;
  if (control.type === 'hidden') return false;
  let hiddenByMarkup = false;
  for (let node: Element | null = el; node && node !== form; node = node.parent as Element | null) {
    if (node.type !== 'tag') break;
    const attribs = node.attribs;
    const classes = (attribs.class ?? '').split(/\s+/).filter(Boolean);
    if (classes.some((cls) => HONEYPOT_CLASSES.test(cls))) return true;
    if (
      styleHides(attribs.style) ||
      attribs.hidden !== undefined ||
      attribs['aria-hidden'] === 'true' ||
      classes.some((cls) => HIDDEN_CLASSES.test(cls) || page.hiddenClasses.has(cls)) ||
      (attribs.id !== undefined && page.hiddenIds.has(attribs.id))
    ) {
      hiddenByMarkup = true;
    }
  }
  // Custom-styled checkboxes and radios, and selects enhanced by a script (select2, choices.js), are hidden on
  // purpose and replaced by a widget: not a honeypot signal for them.
  const typed = TYPED.has(control.type);
  if (hiddenByMarkup && typed) return true;
  if (LEAVE_BLANK.test(`${hints.label} ${hints.container}`)) return true;
  // Taken out of the tab order: a person using the keyboard could never fill it.
  if (typed && el.attribs.tabindex?.trim() === '-1') return true;
  let weak = 0;
  if (/^(off|new-password|nope|false)$/i.test(el.attribs.autocomplete ?? '') && control.tag !== 'select') weak++;
  if (BAIT_NAMES.test(name) || BAIT_NAMES.test(el.attribs.id ?? '')) weak++;
  return weak >= 2 && $(el).is('input, textarea');
}

// ---------------------------------------------------------------------------------------------------------
// Fields

function decideRole(control: Control, hints: Hints, honeypot: boolean): FieldRole {
  const { el, type, name } = control;
  if (honeypot) return 'honeypot';
  if (type === 'hidden') return 'hidden';
  if (type === 'submit' || type === 'file' || type === 'password') return 'other';
  const autocomplete = (el.attribs.autocomplete ?? '').toLowerCase().trim().split(/\s+/).pop() ?? '';
  if (type === 'checkbox') {
    const text = normalizeHint(`${hints.label} ${hints.aria} ${name} ${hints.container}`);
    const required = el.attribs.required !== undefined || el.attribs['aria-required'] === 'true';
    return CONSENT.test(text) && (required || !MARKETING.test(text)) ? 'consent' : 'other';
  }
  if (type === 'email') return 'email';
  if (type === 'tel') return 'phone';
  const fromAutocomplete = AUTOCOMPLETE_ROLES[autocomplete];
  if (fromAutocomplete) return fromAutocomplete;
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

const STRONG_MESSAGE = /\b(message|msg|comments?|enquiry|inquiry|questions?|how can we help|nachricht)\b/;

function isRequired($: CheerioAPI, control: Control, hints: Hints, role: FieldRole): boolean {
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

function optionValue($: CheerioAPI, option: Element): string {
  return option.attribs.value ?? squash($(option).text());
}

function bestLabel(hints: Hints): string | undefined {
  const label = hints.label || hints.aria || hints.placeholder || hints.title || hints.legend;
  return label ? label.replace(/\s*\*\s*$/, '').slice(0, 120) || undefined : undefined;
}

function buildFields($: CheerioAPI, form: Element, page: PageContext): FormField[] {
  const netlifyHoneypot = form.attribs['netlify-honeypot'] ?? form.attribs['data-netlify-honeypot'];
  const fields: FormField[] = [];
  const grouped = new Map<string, FormField>();
  for (const control of formControls($, form)) {
    const { el, type, name } = control;
    const hints = collectHints($, el, form, page.labelsFor);
    const honeypot = isHoneypot($, control, form, hints, netlifyHoneypot, page);
    const role = decideRole(control, hints, honeypot);
    const required = isRequired($, control, hints, role);

    if (type === 'radio' || type === 'checkbox') {
      const value = el.attribs.value ?? 'on';
      const checked = el.attribs.checked !== undefined;
      const existing = grouped.get(`${type}:${name}`);
      if (existing) {
        existing.options = [...(existing.options ?? []), value];
        existing.required ||= required;
        if (checked && !existing.checked) {
          existing.checked = true;
          existing.value = value;
        }
        continue;
      }
      const field: FormField = { name, type, role, required, value, checked, options: [value] };
      const label = bestLabel(hints);
      if (label) field.label = label;
      grouped.set(`${type}:${name}`, field);
      fields.push(field);
      continue;
    }

    const field: FormField = { name, type, role, required };
    if (control.tag === 'select') {
      const options = $(el).find('option').toArray();
      field.options = options.map((option) => optionValue($, option));
      const selected = options.find((option) => option.attribs.selected !== undefined);
      const chosen = selected ?? (el.attribs.multiple === undefined ? options[0] : undefined);
      if (chosen) field.value = optionValue($, chosen);
    } else if (control.tag === 'textarea') {
      const text = $(el).text();
      if (text) field.value = text;
    } else if (el.attribs.value !== undefined) {
      if (el.attribs.value !== '' || type === 'hidden' || role === 'honeypot') field.value = el.attribs.value;
    } else if (type === 'hidden') {
      field.value = '';
    }
    const maxLength = Number.parseInt(el.attribs.maxlength ?? '', 10);
    if (Number.isFinite(maxLength) && maxLength >= 0) field.maxLength = maxLength;
    const label = bestLabel(hints);
    if (label) field.label = label;
    fields.push(field);
  }
  // "Name" beside "Surname" is the first name; "Nom" beside "Prénom" the last name.
  const visible = fields.filter((field) => field.type !== 'hidden');
  const nameFields = visible.filter((field) => field.role === 'name');
  if (nameFields.length === 1 && nameFields[0]) {
    const hasFirst = visible.some((field) => field.role === 'first_name');
    const hasLast = visible.some((field) => field.role === 'last_name');
    if (hasLast && !hasFirst) nameFields[0].role = 'first_name';
    else if (hasFirst && !hasLast) nameFields[0].role = 'last_name';
  }
  // A lone box that must be ticked is an agreement of some kind ("I confirm…"), whatever its wording:
  // it is ticked only under the campaign's consent policy, like a consent box.
  for (const field of fields) {
    if (field.type === 'checkbox' && field.role === 'other' && field.required && field.options?.length === 1) {
      field.role = 'consent';
    }
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------------------
// Classification and ranking

const SEARCH_NAMES = /^(s|q|query|search|keywords?|term|search_query|searchterm)$/i;
const NEWSLETTER =
  /newsletter|subscribe|subscription|list-manage|mailchimp|mc-embedded|mc4wp|sign ?up|klaviyo|convertkit|mailerlite|sendinblue|brevo|substack|opt-?in/i;
const COMMENT = /wp-comments-post|commentform|comment-form|comment_post_id/i;
const CONTACT =
  /contact|enquir|inquir|wpcf7|gform|wpforms|formspree|hubspot|get in touch|talk to|kontakt|contacto|contato|contatti|quote|sales|問い?合わ?せ/i;
const JS_TOKEN = /token|nonce|^ak_js|js_?check|timestamp|antispam|anti_spam|bot_?check|_ts$|challenge|captcha/i;

function formAttributesText($: CheerioAPI, form: Element): string {
  const $form = $(form);
  const attributes = ['id', 'class', 'name', 'action', 'aria-label', 'data-form-type', 'role'];
  const values = attributes.map((attr) => form.attribs[attr] ?? '');
  const wrapper = $form.parent();
  values.push(wrapper.attr('id') ?? '', wrapper.attr('class') ?? '');
  return values.join(' ');
}

function submitText($: CheerioAPI, form: Element): string {
  const $form = $(form);
  const buttons = $form.find('button, input[type="submit"]').toArray();
  return buttons.map((button) => `${button.attribs.value ?? ''} ${$(button).text()}`).join(' ');
}

function classify($: CheerioAPI, form: Element, fields: FormField[]): { kind: FormKind; score: number } {
  const attrs = formAttributesText($, form);
  const visible = fields.filter((field) => !['hidden', 'honeypot'].includes(field.role) && field.type !== 'submit');
  const has = (role: FieldRole) => visible.some((field) => field.role === role);
  const hasMessage = visible.some((field) => field.role === 'message');
  const hasName = has('name') || has('first_name') || has('last_name');
  const buttons = submitText($, form);

  let kind: FormKind;
  if (fields.some((field) => field.type === 'password')) kind = 'login';
  else if (
    form.attribs.role === 'search' ||
    fields.some((field) => field.type === 'search') ||
    (!hasMessage && visible.length <= 2 && visible.some((field) => SEARCH_NAMES.test(field.name))) ||
    (/search/i.test(attrs) && !hasMessage)
  )
    kind = 'search';
  else if (COMMENT.test(attrs) || fields.some((field) => COMMENT.test(field.name))) kind = 'comment';
  else if (!hasMessage && (NEWSLETTER.test(attrs) || NEWSLETTER.test(buttons))) kind = 'newsletter';
  else if (
    !hasMessage &&
    has('email') &&
    visible.every((field) => ['email', 'name', 'first_name', 'last_name', 'consent'].includes(field.role))
  )
    kind = 'newsletter';
  else if (hasMessage || (has('email') && hasName && (has('subject') || has('phone') || has('company'))))
    kind = 'contact';
  else if (CONTACT.test(attrs) && (has('email') || has('phone'))) kind = 'contact';
  else kind = 'other';

  let score = 0;
  if (hasMessage) score += 10;
  if (has('email')) score += 5;
  if (hasName) score += 3;
  if (has('subject')) score += 2;
  if (has('phone')) score += 1;
  if (has('company')) score += 1;
  if (CONTACT.test(attrs)) score += 4;
  if ((form.attribs.method ?? '').toLowerCase() === 'post') score += 2;
  const penalty: Record<FormKind, number> = {
    contact: 0,
    other: 10,
    comment: 20,
    newsletter: 30,
    login: 50,
    search: 50,
  };
  score -= penalty[kind];
  return { kind, score };
}

function parseForm(
  $: CheerioAPI,
  form: Element,
  base: string,
  page: PageContext,
  captchas: Set<Protection>,
): ParsedForm {
  const rawAction = form.attribs.action?.trim();
  const action = rawAction ? (resolveUrl(rawAction, base) ?? base) : base;
  const rawMethod = (form.attribs.method ?? 'get').toLowerCase().trim();
  const method: ParsedForm['method'] = rawMethod === 'post' ? 'POST' : rawMethod === 'dialog' ? 'DIALOG' : 'GET';
  const rawEnctype = (form.attribs.enctype ?? '').toLowerCase().trim();
  const enctype: ParsedForm['enctype'] =
    method === 'POST' && rawEnctype === 'multipart/form-data'
      ? 'multipart/form-data'
      : method === 'POST' && rawEnctype === 'text/plain'
        ? 'text/plain'
        : 'application/x-www-form-urlencoded';

  const fields = buildFields($, form, page);
  const protections = new Set<Protection>(captchas);
  if (fields.some((field) => field.role === 'honeypot')) protections.add('honeypot');
  if (fields.some((field) => field.role === 'hidden' && !field.value && JS_TOKEN.test(field.name))) {
    protections.add('js_token');
  }
  // WPForms' modern anti-spam: the token sits in `data-token` and a script turns it into a field on submit.
  if (form.attribs['data-token'] !== undefined) protections.add('js_token');
  const { kind, score } = classify($, form, fields);

  let reason: string | undefined;
  if (kind !== 'contact') reason = `not_contact_form:${kind}`;
  else if (BLOCKING_PROTECTIONS.some((protection) => protections.has(protection))) reason = 'form_spam_protected';
  else if (method === 'DIALOG' || /^javascript:/i.test(rawAction ?? '')) reason = 'unsupported_method';
  else if (fields.some((field) => field.type === 'file' && field.required)) reason = 'file_upload_required';
  else if (!fields.some((field) => field.role === 'message')) reason = 'no_message_field';

  const parsed: ParsedForm = {
    action,
    method,
    enctype,
    fields,
    protections: PROTECTIONS.filter((protection) => protections.has(protection)),
    submittable: reason === undefined,
    kind,
    score,
  };
  if (reason) parsed.reason = reason;
  return parsed;
}
