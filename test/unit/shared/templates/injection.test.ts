import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as cheerio from 'cheerio';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelTemplate, ChannelType } from '#shared/domain/schemas';
import { buildTemplateContext, renderMessage, TemplateError, validateTemplate } from '#shared/templates/render';
import { runs } from '#test/property/harness';

/**
 * Templates are the operator's code; lead data is the outside world's. Lead data is only ever output —
 * never parsed as Liquid — and HTML parts escape it; no template can read a file or the environment.
 */

const CAMPAIGN = {
  campaignId: 'cmp-inject',
  name: 'Injection',
  sender: { name: 'Sam Rivers', email: 'sam@cascade.example', company: 'Cascade' },
};
const UNSUBSCRIBE = 'https://cascade.example/v1/unsubscribe?token=SIGNED-TOKEN';
const ENV_MARKER = 'ENV-MARKER-7f3c9a';
const FILE_MARKER = 'FILE-MARKER-51d0e2';

/** Liquid syntax, markup and header-breaking text mixed into otherwise random unicode. */
const injection = fc.constantFrom(
  '{{ unsubscribeUrl }}',
  '{{ lead.email }}',
  '{{ sender.email | upcase }}',
  '{% include "package.json" %}',
  '{% render "/etc/passwd" %}',
  '{% raw %}{{ x }}{% endraw %}',
  '{% assign x = 1 %}{{ x }}',
  '{{ 7 | plus: 1 }}',
  '{%- liquid echo unsubscribeUrl -%}',
  '{{',
  '}}',
  '{%',
  '<script>alert("x")</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '&amp;&lt;',
  '\r\nBcc: victim@example.com',
  '\u2028\u2029',
  '</p></body></html>',
);
const leadText = fc
  .tuple(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.array(injection, { minLength: 1, maxLength: 3 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  )
  .map(([before, injected, after]) => `${before}${injected.join('')}${after}`);

const leadWith = (fields: { firstName: string; company: string; title: string }) => ({
  ...fields,
  lastName: 'Lovelace',
  email: 'secret-lead@private.example',
  painPoints: [],
  tags: [],
});

/** What Liquid's `escape` makes of a value (the HTML engine's output escape). */
const liquidEscape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] as string,
  );

/** HTML parsing drops NUL and other control characters and folds CR LF: compare what survives parsing. */
const dropped = (code: number) => (code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f || code === 0xfffd;
const asParsed = (text: string) =>
  [...text.replace(/\r\n?/g, '\n')].filter((char) => !dropped(char.codePointAt(0) ?? 0)).join('');

const fields = fc.record({ firstName: leadText, company: leadText, title: leadText });

/** Renders `template` for a lead with these fields, as `channel` sends it. */
const renderFor = (lead: Parameters<typeof leadWith>[0], channel: ChannelType, template: ChannelTemplate) =>
  renderMessage({ channel, template, context: buildTemplateContext(leadWith(lead), CAMPAIGN, UNSUBSCRIBE) });

describe('lead data is never executed', () => {
  it('text parts output lead fields verbatim, whatever Liquid they contain', () => {
    fc.assert(
      fc.property(fields, (lead) => {
        // Act
        const message = renderFor(lead, 'LINKEDIN', {
          body: '[{{ lead.firstName }}|{{ lead.company }}|{{ lead.title }}]',
        });

        // Assess
        expect(message.text).toBe(`[${lead.firstName}|${lead.company}|${lead.title}]`);
      }),
      runs(300),
    );
  });

  it('an injected variable or tag is not evaluated: no unsubscribe token, lead email or included file leaks', () => {
    // Prepare
    const lead = leadWith({
      firstName: '{{ unsubscribeUrl }}',
      company: '{% include "package.json" %}',
      title: '{{ lead.email }}{% raw %}',
    });
    const context = buildTemplateContext(lead, CAMPAIGN, UNSUBSCRIBE);

    // Act
    const message = renderMessage({
      channel: 'CONTACT_FORM',
      template: { subject: 'For {{ lead.company }}', body: '{{ lead.firstName }} / {{ lead.title }}' },
      context,
    });

    // Assess
    expect(message.text).toBe('{{ unsubscribeUrl }} / {{ lead.email }}{% raw %}');
    expect(message.subject).toBe('For {% include "package.json" %}');
    expect(`${message.text}${message.subject}`).not.toContain('SIGNED-TOKEN');
    expect(`${message.text}${message.subject}`).not.toContain('secret-lead@private.example');
    expect(`${message.text}${message.subject}`).not.toContain('cascade-outreach');
  });

  it('a subject never carries a line break from lead data (no header injection)', () => {
    // Prepare
    const subject = 'Hi {{ lead.firstName }} at {{ lead.company }}';

    fc.assert(
      fc.property(fields, (lead) => {
        // Act
        const message = renderFor(lead, 'EMAIL', { subject, body: 'x' });

        // Assess
        expect(message.subject).not.toMatch(/[\r\n\u2028\u2029]/);
      }),
      runs(200),
    );
  });
});

describe('HTML parts escape lead data', () => {
  it("a template's HTML outputs every lead field escaped, in text and in attributes", () => {
    // Prepare
    const html = '<p title="{{ lead.company }}">{{ lead.firstName }}</p><i>{{ lead.title }}</i>';

    fc.assert(
      fc.property(fields, (lead) => {
        // Act
        const message = renderFor(lead, 'EMAIL', { subject: 's', body: 't', html });
        // The standard unsubscribe footer this template lacks is appended (docs/product.md §6); not lead data.
        const own = (message.html ?? '').replace(/\n?<p style="font-size:12px[\s\S]*$/, '');

        // Assess
        expect(own).toBe(
          `<p title="${liquidEscape(lead.company)}">${liquidEscape(lead.firstName)}</p><i>${liquidEscape(lead.title)}</i>`,
        );
        // Parsed as a mail client would: only the template's elements, the values intact as text.
        const $ = cheerio.load(own, null, false);
        expect(
          $('*')
            .toArray()
            .map((element) => $(element).prop('tagName')?.toLowerCase()),
        ).toEqual(['p', 'i']);
        expect(asParsed($('p').attr('title') ?? '')).toBe(asParsed(lead.company));
        expect(asParsed($('p').text())).toBe(asParsed(lead.firstName));
        expect(asParsed($('i').text())).toBe(asParsed(lead.title));
      }),
      runs(300),
    );
  });

  it('the HTML derived from a text-only email template escapes lead data too', () => {
    // Prepare: no HTML part, so the email's HTML is derived from this text.
    const textOnly = { subject: 's', body: 'Hi {{ lead.firstName }} at {{ lead.company }}\n\n{{ unsubscribeUrl }}' };

    fc.assert(
      fc.property(fields, (lead) => {
        // Act
        const message = renderFor(lead, 'EMAIL', textOnly);

        // Assess
        const $ = cheerio.load(message.html ?? '');
        const tags = new Set(
          $('*')
            .toArray()
            .map((element) => $(element).prop('tagName')?.toLowerCase()),
        );
        for (const tag of tags) expect(['html', 'head', 'body', 'p', 'br', 'a']).toContain(tag);
        for (const link of $('a').toArray()) expect($(link).attr('href')).toMatch(/^https?:\/\//);
        expect($('a[href]').last().attr('href')).toBe(UNSUBSCRIBE);
        expect($('[onerror], [onmouseover], script, img').length).toBe(0);
      }),
      runs(300),
    );
  });

  it('the default email escapes a hostile company name', () => {
    // Prepare
    const lead = leadWith({ firstName: 'Ada', company: '"><script>alert(1)</script>', title: 'CTO' });
    const context = buildTemplateContext(lead, CAMPAIGN, UNSUBSCRIBE);

    // Act
    const message = renderMessage({ channel: 'EMAIL', context });

    // Assess
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(cheerio.load(message.html ?? '')('script').length).toBe(0);
  });
});

describe('no template reads files or the environment', () => {
  let dir: string;
  let secretFile: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cascade-template-'));
    secretFile = path.join(dir, 'secret.liquid');
    writeFileSync(secretFile, FILE_MARKER);
    writeFileSync(path.join(dir, 'secret'), FILE_MARKER);
    process.env.CASCADE_TEMPLATE_TEST_SECRET = ENV_MARKER;
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env.CASCADE_TEMPLATE_TEST_SECRET;
  });

  const context = () =>
    buildTemplateContext(leadWith({ firstName: 'Ada', company: 'Acme', title: 'CTO' }), CAMPAIGN, UNSUBSCRIBE);

  /** Renders every part every way a template reaches a lead (dry run and send); returns all output and errors. */
  function attempt(template: ChannelTemplate): { output: string; errors: unknown[] } {
    const errors: unknown[] = [];
    let output = '';
    const validation = validateTemplate(template, context(), 'EMAIL');
    if (validation.rendered) output += JSON.stringify(validation.rendered);
    errors.push(...validation.errors);
    try {
      output += JSON.stringify(renderMessage({ channel: 'EMAIL', template, context: context() }));
    } catch (error) {
      errors.push(error);
    }
    return { output, errors };
  }

  const fileTags = fc
    .tuple(
      fc.constantFrom('include', 'render', 'layout'),
      fc.constantFrom(
        () => secretFile,
        () => path.join(dir, 'secret'),
        () => path.relative(process.cwd(), secretFile),
        () => 'package.json',
        () => './package.json',
        () => '../../../../../etc/passwd',
        () => 'file:///etc/passwd',
        () => '/proc/self/environ',
      ),
      fc.constantFrom('"', "'"),
      fc.constantFrom('subject', 'body', 'html') as fc.Arbitrary<'subject' | 'body' | 'html'>,
    )
    .map(([tag, file, quote, part]) => ({ tag, file: file(), quote, part }));

  it('include, render and layout fail with a template error and read nothing', () => {
    fc.assert(
      fc.property(fileTags, ({ tag, file, quote, part }) => {
        const source = `{% ${tag} ${quote}${file}${quote} %}`;
        const template: ChannelTemplate = { subject: 'Hi', body: 'Hello', [part]: source };

        const { output, errors } = attempt(template);

        expect(errors.length, source).toBeGreaterThan(0);
        expect(errors.some((error) => error instanceof TemplateError)).toBe(true);
        expect(output).not.toContain(FILE_MARKER);
        expect(output).not.toContain('root:');
        expect(output).not.toContain('cascade-outreach');
      }),
      runs(60),
    );
  });

  it('no path from the template variables reaches process, globals, prototypes or the environment', () => {
    const root = fc.constantFrom(
      '',
      'lead.',
      'sender.',
      'campaign.',
      'unsubscribeUrl.',
      'lead.tags.',
      'lead.firstName.',
    );
    const segment = fc.constantFrom(
      'process',
      'env',
      'CASCADE_TEMPLATE_TEST_SECRET',
      'global',
      'globalThis',
      'constructor',
      '__proto__',
      'prototype',
      'require',
      'module',
      'mainModule',
      'this',
      'Function',
      'valueOf',
      'toString',
      'self',
      'window',
    );
    const expression = fc
      .tuple(root, fc.array(segment, { minLength: 1, maxLength: 4 }))
      .map(([prefix, segments]) => `${prefix}${segments.join('.')}`);
    const shape = fc.constantFrom(
      (e: string) => `{{ ${e} }}`,
      (e: string) => `{{ ${e} | json }}`,
      (e: string) => `{{ ${e} | inspect }}`,
      (e: string) => `{% assign x = ${e} %}{{ x }}`,
      (e: string) => `{% if ${e} %}yes{% endif %}`,
      (e: string) => `{% for x in ${e} %}{{ x }}{% endfor %}`,
      (e: string) => `{{ "" | append: ${e} }}`,
      (e: string) => `{{ lead[${JSON.stringify(e)}] }}`,
    );

    fc.assert(
      fc.property(expression, shape, (e, wrap) => {
        const { output } = attempt({ subject: 'Hi', body: wrap(e) });
        expect(output, wrap(e)).not.toContain(ENV_MARKER);
        expect(output).not.toMatch(/\[native code\]|function \w*\(|process\.|AWS_|NODE_OPTIONS/);
      }),
      runs(400),
    );
  });

  it('a template that loops without end or builds huge strings is stopped with a template error', () => {
    // Prepare
    const sources = [
      '{% for i in (1..100000000) %}x{% endfor %}',
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s.size }}',
    ];

    for (const source of sources) {
      // Act
      const started = Date.now();
      const result = validateTemplate({ subject: 'Hi', body: source }, context(), 'EMAIL');

      // Assess
      expect(result.valid, source).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });
});
