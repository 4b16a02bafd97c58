import { type CheerioAPI, load } from 'cheerio/slim';
import type { Element } from 'domhandler';
import { markupCaptchas } from './captcha';
import { buildFields } from './fields';
import { BLOCKING_PROTECTIONS, type FormField, type FormKind, type ParsedForm, type Protection } from './form-model';
import { classifyForm, rankForms } from './form-ranking';
import { type PageContext, readPageContext, resolveUrl } from './page-context';
import { formProtections, pageGuardsByForm } from './spam-protection';

/**
 * Finds the forms on a page, maps their fields to roles and ranks the best contact-form candidate first
 * (docs/product.md §2 CONTACT_FORM, §7 `cascade form inspect`). Pure: no I/O.
 */

/** Parse every form of a page; the best contact-form candidate comes first. */
export function parseForms(html: string, pageUrl: string): ParsedForm[] {
  const $ = load(html);
  const base = resolveUrl($('base[href]').first().attr('href'), pageUrl) ?? pageUrl;
  const page = readPageContext($);
  const formEls = $('form').toArray();
  const guards = pageGuardsByForm($, formEls);
  const parsed = formEls.map((form, index) => parseForm($, form, base, page, guards[index] ?? new Set()));
  return rankForms(parsed);
}

/** Where and how the browser would send the form: its absolute action, method and encoding. */
function formTarget(form: Element, base: string): Pick<ParsedForm, 'action' | 'method' | 'enctype'> {
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
  return { action, method, enctype };
}

/**
 * A form with neither an action nor a method is one a page script sends (fetch/XHR to an endpoint of its
 * own): posting it to the page, as a browser without that script would, reaches nobody. Netlify's form
 * handling is the known builder that takes such a form at the page's own address.
 */
function sentOnlyByScript(form: Element): boolean {
  const { attribs } = form;
  if (attribs.action !== undefined || attribs.method !== undefined) return false;
  const netlify = attribs.netlify ?? attribs['data-netlify'];
  return netlify === undefined || netlify === 'false';
}

/** Why the channel may not fill the form, if it may not. */
function refusalReason(
  form: Element,
  target: Pick<ParsedForm, 'method'>,
  kind: FormKind,
  fields: FormField[],
  protections: Protection[],
): string | undefined {
  if (kind !== 'contact') return `not_contact_form:${kind}`;
  if (BLOCKING_PROTECTIONS.some((protection) => protections.includes(protection))) return 'form_spam_protected';
  if (target.method === 'DIALOG' || /^javascript:/i.test(form.attribs.action?.trim() ?? '')) {
    return 'unsupported_method';
  }
  if (sentOnlyByScript(form)) return 'script_submitted';
  if (fields.some((field) => field.type === 'file' && field.required)) return 'file_upload_required';
  if (!fields.some((field) => field.role === 'message')) return 'no_message_field';
  return undefined;
}

function parseForm(
  $: CheerioAPI,
  form: Element,
  base: string,
  page: PageContext,
  pageGuards: Set<Protection>,
): ParsedForm {
  const target = formTarget(form, base);
  const fields = buildFields($, form, page);
  const guards = new Set([...pageGuards, ...markupCaptchas($, form, page)]);
  const protections = formProtections(form, fields, guards);
  const { kind, score } = classifyForm($, form, fields);
  const reason = refusalReason(form, target, kind, fields, protections);
  const parsed: ParsedForm = { ...target, fields, protections, submittable: reason === undefined, kind, score };
  if (reason) parsed.reason = reason;
  return parsed;
}
