import type { Cheerio, CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import { ownText, squash } from './page-context';

/**
 * The controls a browser would submit with a form, and the words around each one (its label, aria text,
 * placeholder, legend, field wrapper) from which its role is read.
 */

export interface Control {
  el: Element;
  tag: 'input' | 'select' | 'textarea' | 'button';
  type: string;
  name: string;
}

export interface Hints {
  label: string;
  aria: string;
  placeholder: string;
  title: string;
  legend: string;
  container: string;
  labelRequired: boolean;
}

/** "(required)" written in a label, in the languages of the pages we meet: Jetpack, Drupal, CF7 translations. */
const REQUIRED_WORDS =
  /\((required|obligatoire|obligatorio|obrigat[oó]rio|obbligatorio|erforderlich|pflichtfeld|pflicht|verplicht|wajib|påkrævet|pakollinen|obowiązkowe|wymagane|必須)\)/i;
const SKIPPED_INPUT_TYPES = new Set(['reset', 'button', 'image']);
/** Control types a person does not type a value into: they never make a wrapper hold "another" field. */
const NOT_ENTRY_TYPES = ['hidden', 'submit', 'button', 'reset', 'image'];

function isDisabled($: CheerioAPI, el: Element): boolean {
  if (el.attribs.disabled !== undefined) return true;
  return $(el).closest('fieldset[disabled]').length > 0;
}

export function controlType(el: Element): string {
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea') return 'textarea';
  if (tag === 'select') return 'select';
  if (tag === 'button') return (el.attribs.type ?? 'submit').toLowerCase();
  return (el.attribs.type ?? 'text').toLowerCase().trim() || 'text';
}

/** The form's own controls and those placed elsewhere that name it (`form="id"`), in document order. */
function formElements($: CheerioAPI, form: Element): Element[] {
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
  return [...inside, ...outside];
}

export function formControls($: CheerioAPI, form: Element): Control[] {
  const controls: Control[] = [];
  let submitterSeen = false;
  for (const el of formElements($, form)) {
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
      .filter((control) => !NOT_ENTRY_TYPES.includes(controlType(control)));
    const names = new Set(controls.map((control) => control.attribs.name));
    if (names.size > 1) break;
    best = wrapper;
    current = current.parent;
  }
  return best;
}

/** The labels that name the control: `<label for>` and a wrapping `<label>`. */
function labelsOf($: CheerioAPI, el: Element, labelsFor: Map<string, Element[]>): Element[] {
  const labels: Element[] = [];
  const id = el.attribs.id;
  if (id) labels.push(...(labelsFor.get(id) ?? []));
  const wrapping = $(el).closest('label').toArray()[0];
  if (wrapping && wrapping !== el) labels.push(wrapping as Element);
  return labels;
}

function ariaText($: CheerioAPI, el: Element): string {
  const aria = el.attribs['aria-label'] ?? '';
  const labelledBy = el.attribs['aria-labelledby'];
  if (!labelledBy) return aria;
  const parts = labelledBy
    .split(/\s+/)
    .filter(Boolean)
    .map((ref) => ownText(findById($, ref)));
  return squash(`${aria} ${parts.join(' ')}`);
}

export function collectHints($: CheerioAPI, el: Element, form: Element, labelsFor: Map<string, Element[]>): Hints {
  const labels = labelsOf($, el, labelsFor);
  const labelText = squash(labels.map((label) => ownText($(label))).join(' '));
  const labelRequired =
    /\*/.test(labelText) ||
    REQUIRED_WORDS.test(labelText) ||
    labels.some((label) => $(label).find('.required, .gfield_required, abbr[title]').length > 0);
  const fieldset = $(el).closest('fieldset');
  const legend = fieldset.length > 0 ? ownText(fieldset.children('legend').first()) : '';
  const container = fieldContainer($, el, form);
  return {
    label: labelText,
    aria: ariaText($, el),
    placeholder: el.attribs.placeholder ?? '',
    title: el.attribs.title ?? '',
    legend,
    container: container ? ownText(container).slice(0, 300) : '',
    labelRequired,
  };
}
