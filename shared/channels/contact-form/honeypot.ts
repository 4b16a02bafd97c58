import type { CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import type { Control, Hints } from './controls';
import { type PageContext, styleHides } from './page-context';

/**
 * Honeypots: fields a person cannot see or reach, there to catch bots. Filling one marks the submission as
 * spam, so the channel must find them whatever their label says ("Phone", "Email") and leave them empty.
 */

/** Known honeypot names: Formspree `_gotcha`, Mailchimp `b_<u>_<id>`, WPForms `wpforms[hp]`, Formidable `frm_verify`… */
const HONEYPOT_NAMES =
  /^(_gotcha|_honey|_hp|bot-field|honeypot|hp|hpot|ak_hp_textarea|fax_only|url_check|frm_verify|wpforms\[hp\])$/i;
const HONEYPOT_NAME_PARTS = /honeypot|honey_pot|hpot|^hp[_-]|[_-]hp$|\[hp\]$|^b_[a-z0-9]+_[a-z0-9]+$/i;
const BAIT_NAMES = /^(your-)?(website|url|homepage|web|site|fax|address2|middle[-_]?name|nickname)$/i;
/** Utility classes that hide an element in common stylesheets (`none` as in `.none { display: none }`). */
const HIDDEN_CLASSES = /^(hidden|hide|none|d-none|is-hidden|invisible|sr-only-hp|display-none|hidden-field)$/i;
const HONEYPOT_CLASSES =
  /honeypot|honey-pot|hpot|^hp$|^hp-|-hp$|ohnohoney|tastyhoney|bot-?test|spam-?trap|gform_validation_container|gfield--type-honeypot|wpforms-field-hp|nf-field-hp|elementor-field-type-honeypot|^frm_verify$/i;
/** Controls a person types into: the only kind a honeypot is made of. */
const TYPED = new Set(['text', 'email', 'tel', 'url', 'number', 'search', 'textarea']);
const LEAVE_BLANK =
  /leave (this )?(field )?(blank|empty|unchanged)|should be left (blank|empty|unchanged)|if you are (a )?human|do ?n[o']t fill|not fill (this|in)|for validation purposes/i;

type Concealment = 'honeypot_wrapper' | 'hidden' | 'visible';

/** How the control or one of its ancestors inside the form hides it: a builder's honeypot wrapper wins. */
function concealment(el: Element, form: Element, page: PageContext): Concealment {
  let hidden = false;
  for (let node: Element | null = el; node && node !== form; node = node.parent as Element | null) {
    if (node.type !== 'tag') break;
    const attribs = node.attribs;
    const classes = (attribs.class ?? '').split(/\s+/).filter(Boolean);
    if (classes.some((cls) => HONEYPOT_CLASSES.test(cls))) return 'honeypot_wrapper';
    if (
      styleHides(attribs.style) ||
      attribs.hidden !== undefined ||
      attribs['aria-hidden'] === 'true' ||
      classes.some((cls) => HIDDEN_CLASSES.test(cls) || page.hiddenClasses.has(cls)) ||
      (attribs.id !== undefined && page.hiddenIds.has(attribs.id))
    ) {
      hidden = true;
    }
  }
  return hidden ? 'hidden' : 'visible';
}

/**
 * Hidden inputs are the builder's own fields, never honeypots by markup; only their names can betray one, and
 * only when the page leaves them empty: a hidden value the server wrote (Drupal Honeypot's `honeypot_time`
 * timestamp) is checked on submit and must go back unchanged.
 */
export function isHoneypot($: CheerioAPI, control: Control, form: Element, hints: Hints, page: PageContext): boolean {
  const { el, name } = control;
  const netlifyHoneypot = form.attribs['netlify-honeypot'] ?? form.attribs['data-netlify-honeypot'];
  if (netlifyHoneypot && name === netlifyHoneypot) return true;
  const honeypotName = HONEYPOT_NAMES.test(name) || HONEYPOT_NAME_PARTS.test(name);
  if (control.type === 'hidden') return honeypotName && !el.attribs.value;
  if (honeypotName) return true;
  const concealed = concealment(el, form, page);
  if (concealed === 'honeypot_wrapper') return true;
  // Custom-styled checkboxes and radios, and selects enhanced by a script (select2, choices.js), are hidden on
  // purpose and replaced by a widget: not a honeypot signal for them.
  const typed = TYPED.has(control.type);
  if (concealed === 'hidden' && typed) return true;
  if (LEAVE_BLANK.test(`${hints.label} ${hints.container}`)) return true;
  // Taken out of the tab order: a person using the keyboard could never fill it.
  if (typed && el.attribs.tabindex?.trim() === '-1') return true;
  let weak = 0;
  if (/^(off|new-password|nope|false)$/i.test(el.attribs.autocomplete ?? '') && control.tag !== 'select') weak++;
  if (BAIT_NAMES.test(name) || BAIT_NAMES.test(el.attribs.id ?? '')) weak++;
  return weak >= 2 && $(el).is('input, textarea');
}
