/*
 * The sandbox sites' HTML: a small company site (layout, home, thank-you, 404) and its contact forms as
 * real sites write them — Contact Form 7's markup with its hidden fields, a honeypot form, a reCAPTCHA
 * form and one with a required consent box — so the contact-form channel parses what it meets in the wild.
 */

export const CF7_FORM_ID = '731';
export const CF7_UNIT_TAG = `wpcf7-f${CF7_FORM_ID}-p12-o1`;

/** The hidden fields Contact Form 7 renders into its form (and checks on submission). */
const CF7_HIDDEN_FIELDS: [string, string][] = [
  ['_wpcf7', CF7_FORM_ID],
  ['_wpcf7_version', '5.9.3'],
  ['_wpcf7_locale', 'en_US'],
  ['_wpcf7_unit_tag', CF7_UNIT_TAG],
  ['_wpcf7_container_post', '12'],
  ['_wpcf7_posted_data_hash', ''],
];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `acme-robotics.example` → `Acme Robotics`. */
export function companyFromHost(host: string): string {
  const label =
    host
      .toLowerCase()
      .replace(/:\d+$/, '')
      .replace(/^www\./, '')
      .split('.')[0] ?? 'example';
  return label
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function layout(company: string, title: string, main: string): string {
  const name = escapeHtml(company);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} – ${name}</title></head>
<body>
<header><a class="brand" href="/">${name}</a>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/contact">Contact</a></nav>
<form role="search" method="get" class="search-form" action="/"><label><span class="screen-reader-text">Search for:</span><input type="search" name="s" placeholder="Search …"></label><button type="submit">Search</button></form>
</header>
<main>
${main}
</main>
<footer><form class="newsletter" action="/newsletter" method="post"><label for="nl-email">Newsletter</label><input type="email" id="nl-email" name="EMAIL" placeholder="you@company.com"><input type="submit" name="subscribe" value="Subscribe"></form>
<p>© ${name}</p></footer>
</body></html>`;
}

export function homePage(company: string): string {
  return layout(
    company,
    'Home',
    `<h1>${escapeHtml(company)}</h1>
<p>${escapeHtml(company)} builds things people like. Questions? <a href="/contact">Contact us</a>.</p>`,
  );
}

export type Cf7Status = 'init' | 'sent' | 'invalid';

export function cf7Page(company: string, status: Cf7Status, message: string, invalid: Record<string, string>): string {
  const tip = (name: string) =>
    invalid[name] ? `<span class="wpcf7-not-valid-tip" aria-hidden="true">${escapeHtml(invalid[name])}</span>` : '';
  const field = (label: string, control: string, name: string) =>
    `<p><label> ${label}<br /><span class="wpcf7-form-control-wrap" data-name="${name}">${control}${tip(name)}</span></label></p>`;
  const hidden = CF7_HIDDEN_FIELDS.map(([name, value]) => `<input type="hidden" name="${name}" value="${value}" />`);
  return layout(
    company,
    'Contact',
    `<h1>Contact us</h1>
<div class="wpcf7 no-js" id="${CF7_UNIT_TAG}" lang="en-US" dir="ltr" data-wpcf7-id="${CF7_FORM_ID}">
<form action="/contact#${CF7_UNIT_TAG}" method="post" class="wpcf7-form ${status}" aria-label="Contact form" novalidate="novalidate" data-status="${status}">
<div style="display: none;">
${hidden.join('\n')}
</div>
${field('Your name', '<input size="40" class="wpcf7-form-control wpcf7-text wpcf7-validates-as-required" autocomplete="name" aria-required="true" value="" type="text" name="your-name" />', 'your-name')}
${field('Your email', '<input size="40" class="wpcf7-form-control wpcf7-email wpcf7-validates-as-required" autocomplete="email" aria-required="true" value="" type="email" name="your-email" />', 'your-email')}
${field('Subject', '<input size="40" class="wpcf7-form-control wpcf7-text wpcf7-validates-as-required" aria-required="true" value="" type="text" name="your-subject" />', 'your-subject')}
${field('Your message', '<textarea cols="40" rows="10" maxlength="2000" class="wpcf7-form-control wpcf7-textarea wpcf7-validates-as-required" aria-required="true" name="your-message"></textarea>', 'your-message')}
<p><span class="wpcf7-form-control-wrap" data-name="acceptance-1"><span class="wpcf7-form-control wpcf7-acceptance optional"><span class="wpcf7-list-item"><label><input type="checkbox" name="acceptance-1" value="1" aria-invalid="false" /><span class="wpcf7-list-item-label">I agree that my data is processed as described in the privacy policy.</span></label></span></span>${tip('acceptance-1')}</span></p>
<p><input class="wpcf7-form-control wpcf7-submit has-spinner" type="submit" value="Send" /></p>
<div class="wpcf7-response-output"${message ? '' : ' aria-hidden="true"'}>${escapeHtml(message)}</div>
</form>
</div>`,
  );
}

/** A form page's error list, as the honeypot and consent forms show it. */
const errorList = (errors: string[]) =>
  errors.length
    ? `<div class="form-errors" role="alert"><p>There was a problem with your submission:</p><ul>${errors.map((error) => `<li>${escapeHtml(error)}</li>`).join('')}</ul></div>`
    : '';

/** A contact page as the honeypot and consent sites write it: heading, their error list, the form. */
function contactPage(company: string, heading: string, errors: string[], form: string): string {
  return layout(company, 'Contact', `<h1>${heading}</h1>\n${errorList(errors)}\n${form}`);
}

export function honeypotPage(company: string, errors: string[] = []): string {
  return contactPage(
    company,
    'Talk to sales',
    errors,
    `<form id="contact-form" class="contact-form" action="/contact-honeypot" method="post" enctype="multipart/form-data">
<input type="hidden" name="form_id" value="sales-contact">
<div><label for="cf-first">First name *</label><input id="cf-first" name="first_name" type="text" required></div>
<div><label for="cf-last">Last name *</label><input id="cf-last" name="last_name" type="text" required></div>
<div><label for="cf-email">Work email *</label><input id="cf-email" name="email" type="email" required></div>
<div><label for="cf-company">Company</label><input id="cf-company" name="company" type="text"></div>
<div class="hp-field" style="position:absolute;left:-9999px" aria-hidden="true"><label for="cf-website">Website</label><input id="cf-website" name="website" type="text" tabindex="-1" autocomplete="off" value=""></div>
<div><label for="cf-message">How can we help? *</label><textarea id="cf-message" name="message" rows="6" required></textarea></div>
<button type="submit">Send</button>
</form>`,
  );
}

export function protectedPage(company: string, errors: string[] = []): string {
  const list = errors.length
    ? `<div class="alert alert-danger" role="alert">${errors.map(escapeHtml).join(' ')}</div>`
    : '';
  return layout(
    company,
    'Contact',
    `<script src="https://www.google.com/recaptcha/api.js" async defer></script>
<h1>Contact</h1>
${list}
<form id="contact" action="/contact-protected" method="post">
<div><label for="p-name">Name *</label><input id="p-name" name="name" type="text" required></div>
<div><label for="p-email">Email *</label><input id="p-email" name="email" type="email" required></div>
<div><label for="p-message">Message *</label><textarea id="p-message" name="message" required></textarea></div>
<div class="g-recaptcha" data-sitekey="6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"></div>
<button type="submit">Send message</button>
</form>`,
  );
}

export function consentPage(company: string, errors: string[] = []): string {
  return contactPage(
    company,
    'Write to us',
    errors,
    `<form id="consent-form" class="contact-form" action="/contact-consent" method="post">
<div><label for="cc-name">Your name *</label><input id="cc-name" name="name" type="text" required></div>
<div><label for="cc-email">Email *</label><input id="cc-email" name="email" type="email" required></div>
<div><label for="cc-message">Message *</label><textarea id="cc-message" name="message" rows="6" required></textarea></div>
<div><label><input type="checkbox" name="gdpr" value="agreed" required> I agree that my data is processed as described in the <a href="/privacy">privacy policy</a>. *</label></div>
<button type="submit">Send</button>
</form>`,
  );
}

export function thankYouPage(company: string): string {
  return layout(
    company,
    'Thank you',
    `<h1>Thank you!</h1><p>We received your message and will be in touch shortly.</p>`,
  );
}

export function notFoundPage(company: string): string {
  return layout(company, 'Page not found', '<h1>Page not found</h1><p>Sorry, nothing lives here.</p>');
}
