import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLeadCsv } from '#shared/leads/csv';
import { validateLeadRows } from '#shared/leads/import';
import {
  buildTemplateContext,
  DEFAULT_TEMPLATES,
  renderMessage,
  TemplateError,
  validateTemplate,
} from '#shared/templates/render';

const SAMPLE = readFileSync(fileURLToPath(new URL('../../../../examples/leads.csv', import.meta.url)), 'utf8');
const CAMPAIGN = {
  campaignId: 'cmp-1',
  name: 'Spring outreach',
  sender: { name: 'Sam Rivers', email: 'sam@cascade.example', company: 'Cascade' },
};
const UNSUBSCRIBE = 'https://cascade.example/unsubscribe?token=abc&x=1';
const LEAD = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical <Engines> & Co',
  title: 'CTO',
  painPoints: ['slow lead follow-up'],
  tags: [],
};

const captureError = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('renderMessage', () => {
  it('throws a TemplateError naming an unknown variable instead of rendering an empty string', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    const template = { subject: 'Hi', body: 'Hello {{ lead.compnay }}' };
    // Act
    const err = captureError(() => renderMessage({ channel: 'EMAIL', template, context }));
    // Assess
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).variable).toBe('lead.compnay');
    expect((err as TemplateError).part).toBe('body');
    expect((err as TemplateError).message).toContain('Unknown variable "lead.compnay"');
  });

  it('throws a TemplateError for an unknown filter and for broken syntax', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const filterErr = captureError(() =>
      renderMessage({ channel: 'LINKEDIN', template: { body: '{{ lead.firstName | shout }}' }, context }),
    );
    const syntaxErr = captureError(() =>
      renderMessage({ channel: 'LINKEDIN', template: { body: '{{ lead.firstName' }, context }),
    );
    // Assess
    expect(filterErr).toBeInstanceOf(TemplateError);
    expect((filterErr as Error).message).toContain('Unknown filter "shout"');
    expect(syntaxErr).toBeInstanceOf(TemplateError);
  });

  it('renders absent optional lead fields as null so `default` applies', () => {
    // Prepare
    const context = buildTemplateContext({ firstName: 'Bo' }, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const message = renderMessage({
      channel: 'LINKEDIN',
      template: { body: '{{ lead.firstName }} at {{ lead.company | default: "your team" }}' },
      context,
    });
    // Assess
    expect(message.text).toBe('Bo at your team');
  });

  it('renders the default email with subject, visible unsubscribe link and escaped HTML', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const message = renderMessage({ channel: 'EMAIL', context });
    // Assess
    expect(message.subject).toBe('Quick question for Analytical <Engines> & Co');
    expect(message.text).toContain('Hi Ada,');
    expect(message.text).toContain('slow lead follow-up');
    expect(message.text).toContain(`Unsubscribe: ${UNSUBSCRIBE}`);
    expect(message.html).toContain('Analytical &lt;Engines&gt; &amp; Co');
    expect(message.html).not.toContain('<Engines>');
    expect(message.html).toContain('<a href="https://cascade.example/unsubscribe?token=abc&amp;x=1">Unsubscribe</a>');
  });

  it('escapes values in a custom HTML part and derives HTML for an email template without one', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    const withHtml = { subject: 's', body: 't', html: '<b>{{ lead.company }}</b>' };
    const textOnly = { subject: 's', body: 'For {{ lead.company }}\n\n{{ unsubscribeUrl }}' };
    // Act
    const a = renderMessage({ channel: 'EMAIL', template: withHtml, context });
    const b = renderMessage({ channel: 'EMAIL', template: textOnly, context });
    // Assess
    expect(a.html?.startsWith('<b>Analytical &lt;Engines&gt; &amp; Co</b>')).toBe(true);
    expect(b.html).toContain('<p>For Analytical &lt;Engines&gt; &amp; Co</p>');
    expect(b.html).toContain('<a href="https://cascade.example/unsubscribe?token=abc&amp;x=1">');
  });

  it('appends the visible unsubscribe footer to an email template without {{ unsubscribeUrl }}', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    const bare = { subject: 's', body: 'Hello {{ lead.firstName }}', html: '<html><body><p>Hello</p></body></html>' };
    const textOnly = { subject: 's', body: 'Hello {{ lead.firstName }}' };

    // Act
    const withHtml = renderMessage({ channel: 'EMAIL', template: bare, context });
    const derived = renderMessage({ channel: 'EMAIL', template: textOnly, context });
    const linkedin = renderMessage({ channel: 'LINKEDIN', template: { body: 'Hello {{ lead.firstName }}' }, context });

    // Assess: text and HTML parts both link the unsubscribe URL, the HTML one inside its body; other channels untouched.
    expect(withHtml.text).toBe(`Hello Ada\n\n--\nNot interested? Unsubscribe: ${UNSUBSCRIBE}\n`);
    expect(withHtml.html).toContain('<a href="https://cascade.example/unsubscribe?token=abc&amp;x=1">Unsubscribe</a>');
    expect(withHtml.html?.endsWith('</p>\n</body></html>')).toBe(true);
    expect(derived.text).toContain(`Unsubscribe: ${UNSUBSCRIBE}`);
    expect(derived.html?.match(/href="[^"]*unsubscribe/g)).toHaveLength(1);
    expect(linkedin.text).toBe('Hello Ada');
  });

  it('leaves an email template that links {{ unsubscribeUrl }} itself unchanged', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    const template = {
      subject: 's',
      body: 'Hello\nStop: {{ unsubscribeUrl }}',
      html: '<p>Hello <a href="{{ unsubscribeUrl }}">stop</a></p>',
    };

    // Act
    const rendered = renderMessage({ channel: 'EMAIL', template, context });

    // Assess
    expect(rendered.text).toBe(`Hello\nStop: ${UNSUBSCRIBE}`);
    expect(rendered.html).toBe('<p>Hello <a href="https://cascade.example/unsubscribe?token=abc&amp;x=1">stop</a></p>');
  });

  it('renders every channel default for a lead', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const rendered = (['EMAIL', 'LINKEDIN', 'CONTACT_FORM', 'PHONE'] as const).map((channel) =>
      renderMessage({ channel, context }),
    );
    // Assess
    const [email, linkedin, form, phone] = rendered;
    expect(email?.subject).toBeTruthy();
    expect(linkedin?.text).toMatch(/^Hi Ada, .*Sam Rivers$/);
    expect(form?.subject).toBe('Partnership enquiry for Analytical <Engines> & Co');
    expect(form?.text).toContain('Ada Lovelace (CTO)');
    expect(form?.text).toContain('sam@cascade.example');
    expect(phone?.text).toContain('Hi Ada, this is Sam Rivers from Cascade.');
  });

  it('keeps the LinkedIn default template short and its note within 300 characters for every sample lead', () => {
    // Prepare
    const { accepted } = validateLeadRows(parseLeadCsv(SAMPLE).rows);
    // Act
    const notes = accepted.map(
      (lead) => renderMessage({ channel: 'LINKEDIN', context: buildTemplateContext(lead, CAMPAIGN, UNSUBSCRIBE) }).text,
    );
    // Assess
    expect(DEFAULT_TEMPLATES.LINKEDIN.body.length).toBeLessThanOrEqual(200);
    expect(notes).toHaveLength(57);
    for (const note of notes) {
      expect(note.length).toBeLessThanOrEqual(300);
      expect(note).not.toContain('{{');
    }
  });

  it('rejects an email template whose subject is missing', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const err = captureError(() => renderMessage({ channel: 'EMAIL', template: { body: 'x' }, context }));
    // Assess
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).part).toBe('subject');
  });
});

describe('validateTemplate (dry run)', () => {
  it('renders a valid template without sending', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const result = validateTemplate({ subject: 'Hi {{ lead.firstName }}', body: 'From {{ sender.name }}' }, context);
    // Assess
    expect(result).toEqual({ valid: true, errors: [], rendered: { subject: 'Hi Ada', text: 'From Sam Rivers' } });
  });

  it('reports unknown variables even in branches this lead does not take', () => {
    // Prepare: company is absent, so the `if` branch would never render for this lead
    const context = buildTemplateContext({ firstName: 'Bo' }, CAMPAIGN, UNSUBSCRIBE);
    const template = {
      body: '{% if lead.company %}{{ lead.compnay }}{% endif %}{{ lead.tags.size }}{{ campaing.name }}',
    };
    // Act
    const result = validateTemplate(template, context);
    // Assess
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.variable)).toEqual(['lead.compnay', 'campaing']);
    expect(result.rendered).toBeUndefined();
  });

  it('reports syntax errors and refuses file includes', () => {
    // Prepare
    const context = buildTemplateContext(LEAD, CAMPAIGN, UNSUBSCRIBE);
    // Act
    const syntax = validateTemplate({ body: '{% if %}' }, context);
    const include = validateTemplate({ body: '{% include "package.json" %}' }, context);
    // Assess
    expect(syntax.valid).toBe(false);
    expect(include.valid).toBe(false);
    expect(include.errors[0]?.message).toContain('cannot include files');
  });
});
