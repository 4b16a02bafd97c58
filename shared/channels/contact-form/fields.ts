import type { CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import { type Control, collectHints, formControls, type Hints } from './controls';
import { decideRole, isRequired } from './field-roles';
import type { FieldRole, FormField } from './form-model';
import { isHoneypot } from './honeypot';
import { type PageContext, squash } from './page-context';

/**
 * A form's fields as the channel fills them: one per control, radios and checkboxes of one name grouped into
 * one field with its options, each with its role, whether it is required and the value the page gives it.
 */

interface ClassifiedControl {
  control: Control;
  hints: Hints;
  role: FieldRole;
  required: boolean;
}

function optionValue($: CheerioAPI, option: Element): string {
  return option.attribs.value ?? squash($(option).text());
}

function bestLabel(hints: Hints): string | undefined {
  const label = hints.label || hints.aria || hints.placeholder || hints.title || hints.legend;
  return label ? label.replace(/\s*\*\s*$/, '').slice(0, 120) || undefined : undefined;
}

function withLabel(field: FormField, hints: Hints): FormField {
  const label = bestLabel(hints);
  if (label) field.label = label;
  return field;
}

/** One box or radio: a new field for its name, or one more option of the field already made for it. */
function addChoice(entry: ClassifiedControl, fields: FormField[], grouped: Map<string, FormField>): void {
  const { control, role, required } = entry;
  const { el, type, name } = control;
  const value = el.attribs.value ?? 'on';
  const checked = el.attribs.checked !== undefined;
  const existing = grouped.get(`${type}:${name}`);
  if (!existing) {
    const field = withLabel({ name, type, role, required, value, checked, options: [value] }, entry.hints);
    grouped.set(`${type}:${name}`, field);
    fields.push(field);
    return;
  }
  existing.options = [...(existing.options ?? []), value];
  existing.required ||= required;
  if (checked && !existing.checked) {
    existing.checked = true;
    existing.value = value;
  }
}

/** The value a browser would send for a control the person leaves as the page shows it. */
function pageValue($: CheerioAPI, control: Control, role: FieldRole): string | undefined {
  const { el, type } = control;
  if (control.tag === 'select') {
    const options = $(el).find('option').toArray();
    const selected = options.find((option) => option.attribs.selected !== undefined);
    const chosen = selected ?? (el.attribs.multiple === undefined ? options[0] : undefined);
    return chosen ? optionValue($, chosen) : undefined;
  }
  if (control.tag === 'textarea') return $(el).text() || undefined;
  if (el.attribs.value !== undefined) {
    return el.attribs.value !== '' || type === 'hidden' || role === 'honeypot' ? el.attribs.value : undefined;
  }
  return type === 'hidden' ? '' : undefined;
}

function singleField($: CheerioAPI, entry: ClassifiedControl): FormField {
  const { control, role, required } = entry;
  const { el, type, name } = control;
  const field: FormField = { name, type, role, required };
  if (control.tag === 'select')
    field.options = $(el)
      .find('option')
      .toArray()
      .map((option) => optionValue($, option));
  const value = pageValue($, control, role);
  if (value !== undefined) field.value = value;
  const maxLength = Number.parseInt(el.attribs.maxlength ?? '', 10);
  if (Number.isFinite(maxLength) && maxLength >= 0) field.maxLength = maxLength;
  return withLabel(field, entry.hints);
}

/** "Name" beside "Surname" is the first name; "Nom" beside "Prénom" the last name. */
function pairLoneName(fields: FormField[]): void {
  const visible = fields.filter((field) => field.type !== 'hidden');
  const nameFields = visible.filter((field) => field.role === 'name');
  if (nameFields.length !== 1 || !nameFields[0]) return;
  const hasFirst = visible.some((field) => field.role === 'first_name');
  const hasLast = visible.some((field) => field.role === 'last_name');
  if (hasLast && !hasFirst) nameFields[0].role = 'first_name';
  else if (hasFirst && !hasLast) nameFields[0].role = 'last_name';
}

/**
 * A lone box that must be ticked is an agreement of some kind ("I confirm…"), whatever its wording:
 * it is ticked only under the campaign's consent policy, like a consent box.
 */
function loneRequiredBoxesAsConsent(fields: FormField[]): void {
  for (const field of fields) {
    if (field.type === 'checkbox' && field.role === 'other' && field.required && field.options?.length === 1) {
      field.role = 'consent';
    }
  }
}

export function buildFields($: CheerioAPI, form: Element, page: PageContext): FormField[] {
  const fields: FormField[] = [];
  const grouped = new Map<string, FormField>();
  for (const control of formControls($, form)) {
    const hints = collectHints($, control.el, form, page.labelsFor);
    const role = decideRole(control, hints, isHoneypot($, control, form, hints, page));
    const entry: ClassifiedControl = { control, hints, role, required: isRequired($, control, hints, role) };
    if (control.type === 'radio' || control.type === 'checkbox') addChoice(entry, fields, grouped);
    else fields.push(singleField($, entry));
  }
  pairLoneName(fields);
  loneRequiredBoxesAsConsent(fields);
  return fields;
}
