import type { CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import { collectHints, formControls } from './controls';
import type { Protection } from './form-model';
import { isHoneypot } from './honeypot';
import { normalizeHint, type PageContext } from './page-context';

/**
 * Captchas made of plain markup, with no widget script to give them away: a picture of letters to copy
 * (Contact Form 7's Really Simple CAPTCHA, Joomla Fox Contact, Securimage) or a sum / question a person
 * answers ("3 + 0 = ?", "6 + [ ] = 12", "Please prove that you are human"). Answering them is working
 * around the site's bot check, which the channel never does: the form is left to a person.
 */

/** Names, ids and classes of captcha answer fields and images (widget response fields are found elsewhere). */
const CAPTCHA_WORD = /captcha|cptch|securimage|kcaptcha|captchar|captchac/i;
const WIDGET_RESPONSES = /^(g-recaptcha-response|h-captcha-response|cf-turnstile-response|_wpcf7_recaptcha_response)$/i;
/** reCAPTCHA v1 fields: the widget, already reported as `recaptcha` by the page's scripts. */
const RECAPTCHA_V1 = /^recaptcha_(challenge|response)_field$/i;
/** An arithmetic prompt: `3 + 0 = ?`, `6 + [ ] = 12`, `seven minus 2 =`, `what is 4 + 5`. */
const SUM =
  /\d+\s*(?:[-+x×*÷/−]|plus|minus|times)\s*(?:\d+\s*)?=|=\s*\?|\bwhat is \d+\s*(?:[-+x×*÷/]|plus|minus|times)/i;
/** Words of a question asked to tell people from bots (normalised text). */
const HUMAN_CHECK =
  /prove (that )?you (are|re) (a )?human|are you (a )?human|solv(e|ing) (the|this) (equation|sum)|anti ?spam (question|check)|security question|spam protection|sicherheitsfrage|rechenaufgabe|pregunta de seguridad|domanda di sicurezza|question de securite/;
const TYPED = new Set(['text', 'number', 'tel', 'search', 'email']);

/**
 * The words right beside a control, up to the next control either way: a sum is often loose text around its
 * answer field ("6 + [ ] = 12") rather than its label.
 */
function besideText($: CheerioAPI, el: Element): string {
  const parts: string[] = [];
  for (const step of ['prev', 'next'] as const) {
    let node = step === 'prev' ? el.prev : el.next;
    for (let count = 0; node && count < 3; count++, node = step === 'prev' ? node.prev : node.next) {
      const $node = $(node);
      if (
        node.type === 'tag' &&
        ($node.is('input, select, textarea') || $node.find('input, select, textarea').length)
      ) {
        break;
      }
      parts[step === 'prev' ? 'unshift' : 'push']($node.text());
    }
  }
  return parts.join(' ').replace(/\s+/g, ' ').slice(0, 200);
}

function imageCaptcha($: CheerioAPI, form: Element): boolean {
  return $(form)
    .find('img')
    .toArray()
    .some((img) => CAPTCHA_WORD.test(`${img.attribs.src ?? ''} ${img.attribs.class ?? ''} ${img.attribs.id ?? ''}`));
}

/** The captchas of one form that are plain fields and pictures rather than a widget. */
export function markupCaptchas($: CheerioAPI, form: Element, page: PageContext): Set<Protection> {
  const found = new Set<Protection>();
  const picture = imageCaptcha($, form);
  for (const control of formControls($, form)) {
    if (!TYPED.has(control.type) || control.tag !== 'input') continue;
    const { el, name } = control;
    if (WIDGET_RESPONSES.test(name) || RECAPTCHA_V1.test(name)) continue;
    const hints = collectHints($, el, form, page.labelsFor);
    if (isHoneypot($, control, form, hints, page)) continue;
    const text = [hints.label, hints.aria, hints.placeholder, hints.title, hints.container, besideText($, el)].join(
      ' ',
    );
    const named = CAPTCHA_WORD.test(`${name} ${el.attribs.id ?? ''} ${el.attribs.class ?? ''} ${text}`);
    // A sum is a question even when its field is called "captcha"; a picture makes the rest an image captcha.
    if (SUM.test(text) || (!picture && HUMAN_CHECK.test(normalizeHint(text)))) found.add('question_captcha');
    else if (named) found.add('image_captcha');
  }
  // The picture alone: its answer field may be named anything, but the form cannot go without it.
  if (picture && found.size === 0) found.add('image_captcha');
  return found;
}
