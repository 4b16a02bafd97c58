import type { CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import { type FormField, PROTECTIONS, type Protection } from './form-model';

/**
 * The bot checks a form carries: captcha widgets and scripts, and tokens a page script adds at run time.
 * The channel never works around them; it only has to see them (honeypot fields are found field by field).
 */

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

const INSERTS_INPUT =
  /createElement\(\s*['"]input['"]\s*\)|insertAdjacentHTML\([^)]*<input|\.append(Child)?\([^)]*<input/i;
const TOKEN_WORDS = /token|nonce|antispam|anti-spam|anti_spam|honeypot|js_?check|bot_?check|timestamp|challenge/i;
/** Names of hidden fields a script fills before the post: left empty in the page as fetched. */
const JS_TOKEN = /token|nonce|^ak_js|js_?check|timestamp|antispam|anti_spam|bot_?check|_ts$|challenge|captcha/i;

function addScriptCaptchas($: CheerioAPI, script: Element, found: Set<Protection>): void {
  const text = `${script.attribs.src ?? ''} ${$(script).text()}`;
  for (const [kind, pattern] of CAPTCHA_SCRIPTS) if (pattern.test(text)) found.add(kind);
}

function pageLevelCaptchas($: CheerioAPI): Set<Protection> {
  const found = new Set<Protection>();
  $('script').each((_, script) => addScriptCaptchas($, script, found));
  for (const [kind, selector] of CAPTCHA_WIDGETS) if ($(selector).length > 0) found.add(kind);
  return found;
}

function formCaptchas($: CheerioAPI, form: Element): Set<Protection> {
  const found = new Set<Protection>();
  const $form = $(form);
  for (const [kind, selector] of CAPTCHA_WIDGETS) if ($form.find(selector).length > 0) found.add(kind);
  if ($form.is('[data-netlify-recaptcha]')) found.add('recaptcha');
  $form.find('script').each((_, script) => addScriptCaptchas($, script, found));
  return found;
}

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

/** A script setting a control's value: `.value = …`, jQuery `.val(x)` / `.attr('value', x)`, `setAttribute('value', …)`. */
const SETS_VALUE = String.raw`(?:\.value\s*=(?!=)|\.val\(\s*[^\s)]|\.attr\(\s*['"]value['"]\s*,|setAttribute\(\s*['"]value['"])`;

const SETS_VALUE_TEST = new RegExp(SETS_VALUE);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Hidden fields an inline script rewrites before the post (Jotform's `simple_spc`, anti-spam counters): the
 * value in the page as fetched is stale, and sending it marks the post as a bot's. String pieces joined with
 * `+` ("si" + "mple" + "_spc") are joined first, as such scripts split names to hide them from bots.
 */
function scriptRewritesHidden($: CheerioAPI, form: Element, scripts: string[]): boolean {
  const keys = new Set<string>();
  $(form)
    .find('input[type="hidden" i]')
    .each((_, input) => {
      for (const key of [input.attribs.id, input.attribs.name]) if (key && key.length > 2) keys.add(key);
    });
  if (keys.size === 0 || scripts.length === 0) return false;
  return [...keys].some((key) => {
    const mention = new RegExp(String.raw`(?<=['"#.\[=])${escapeRegExp(key)}(?=['"\].\s])[^;{}]{0,80}?${SETS_VALUE}`);
    return scripts.some((script) => mention.test(script));
  });
}

function inlineScripts($: CheerioAPI): string[] {
  return $('script:not([src])')
    .toArray()
    .map((script) =>
      $(script)
        .text()
        .replace(/(['"])\s*\+\s*\1/g, ''),
    )
    .filter((text) => SETS_VALUE_TEST.test(text));
}

/** The captchas and script tokens guarding each form of the page, in the order of `forms`. */
export function pageGuardsByForm($: CheerioAPI, forms: Element[]): Set<Protection>[] {
  const pageCaptchas = pageLevelCaptchas($);
  const inFormCaptchas = forms.map((form) => formCaptchas($, form));
  const scriptTokens = scriptInsertedTokens($, forms);
  const scripts = inlineScripts($);
  return forms.map((form, index) => {
    const guards = new Set(inFormCaptchas[index]);
    for (const captcha of pageCaptchas) {
      // A page-level captcha belongs to the form that hosts its widget; otherwise it guards every form.
      const claimedElsewhere = inFormCaptchas.some((set, other) => other !== index && set.has(captcha));
      if (!claimedElsewhere) guards.add(captcha);
    }
    if (scriptTokens.has(form) || scriptRewritesHidden($, form, scripts)) guards.add('js_token');
    return guards;
  });
}

/** Everything guarding one form: the page's guards for it, its honeypots and its script-filled tokens. */
export function formProtections(form: Element, fields: FormField[], pageGuards: Set<Protection>): Protection[] {
  const protections = new Set<Protection>(pageGuards);
  if (fields.some((field) => field.role === 'honeypot')) protections.add('honeypot');
  if (fields.some((field) => field.role === 'hidden' && !field.value && JS_TOKEN.test(field.name))) {
    protections.add('js_token');
  }
  // WPForms' modern anti-spam: the token sits in `data-token` and a script turns it into a field on submit.
  if (form.attribs['data-token'] !== undefined) protections.add('js_token');
  return PROTECTIONS.filter((protection) => protections.has(protection));
}
