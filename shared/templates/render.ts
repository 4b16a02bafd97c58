import { type FS, Liquid, LiquidError, type Template } from 'liquidjs';
import {
  type Campaign,
  type ChannelTemplate,
  type ChannelType,
  Lead,
  type Lead as LeadT,
  Sender,
} from '../domain/schemas';
import { CascadeError, type ErrorKind } from '../errors';

/** A template that cannot be parsed or rendered: an unknown variable or filter, or bad syntax. */
export class TemplateError extends CascadeError {
  readonly code = 'template_error';
  readonly kind: ErrorKind = 'invalid';
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** Which part of the template failed. */
    readonly part: TemplatePart,
    /** The unknown variable (e.g. `lead.compnay`), when that is the cause. */
    readonly variable?: string,
    /** 1-based position in the template part, when known. */
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type TemplatePart = 'subject' | 'body' | 'html';

export interface RenderedMessage {
  subject?: string;
  text: string;
  html?: string;
}

type Scalar = string | number | boolean | null;
type ContextValue = Scalar | readonly string[];

/** Plain objects handed to Liquid. Every known key is present (absent values are `null`). */
export interface TemplateContext {
  lead: Record<string, ContextValue>;
  campaign: Record<string, ContextValue>;
  sender: Record<string, ContextValue>;
  unsubscribeUrl: string;
}

/** What a template context needs from a lead: a full Lead, or an imported row not yet stored. */
export type TemplateLeadSource = Partial<LeadT> & { firstName: string };
export type TemplateCampaignSource = Pick<Campaign, 'name' | 'sender'> & Partial<Campaign>;

const LEAD_KEYS = Object.keys(Lead.shape) as (keyof LeadT)[];
const SENDER_KEYS = Object.keys(Sender.shape) as (keyof Campaign['sender'])[];
const CAMPAIGN_KEYS = ['campaignId', 'name', 'minGrade', 'state'] as const;

const toContextValue = (value: unknown): ContextValue => {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
};

/**
 * Builds the Liquid variables for one lead and campaign. Every Lead/Sender key is present, absent ones as `null`,
 * so `{{ lead.company | default: "your team" }}` works while a typo like `{{ lead.compnay }}` is an error.
 * `lead.fullName` is added for convenience.
 */
export function buildTemplateContext(
  lead: TemplateLeadSource,
  campaign: TemplateCampaignSource,
  unsubscribeUrl: string,
): TemplateContext {
  const leadCtx: Record<string, ContextValue> = {};
  for (const key of LEAD_KEYS) leadCtx[key] = toContextValue(lead[key]);
  leadCtx.painPoints = toContextValue(lead.painPoints ?? []);
  leadCtx.tags = toContextValue(lead.tags ?? []);
  leadCtx.fullName = [lead.firstName, lead.lastName].filter((p) => p && p.trim() !== '').join(' ');

  const senderCtx: Record<string, ContextValue> = {};
  for (const key of SENDER_KEYS) senderCtx[key] = toContextValue(campaign.sender[key]);

  const campaignCtx: Record<string, ContextValue> = {};
  for (const key of CAMPAIGN_KEYS) campaignCtx[key] = toContextValue(campaign[key]);

  return { lead: leadCtx, campaign: campaignCtx, sender: senderCtx, unsubscribeUrl };
}

/** Templates never read files: `{% include %}` / `{% render %}` / `{% layout %}` fail instead of touching disk. */
const noFileSystem: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`templates cannot include files ("${file}")`);
  },
  readFileSync: (file) => {
    throw new Error(`templates cannot include files ("${file}")`);
  },
  resolve: (_dir, file) => file,
};

const baseOptions = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  fs: noFileSystem,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
};
const textEngine = new Liquid(baseOptions);
/** HTML parts escape every output by default (`| raw` opts out). */
const htmlEngine = new Liquid({ ...baseOptions, outputEscape: 'escape' });

const MAX_CACHED = 500;
const caches = new Map<Liquid, Map<string, Template[]>>([
  [textEngine, new Map()],
  [htmlEngine, new Map()],
]);

/** A Liquid failure as a `TemplateError` naming the part, the position and, when known, the unknown name. */
function describeError(err: unknown, part: TemplatePart): TemplateError {
  if (err instanceof TemplateError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const position = /line:(\d+), col:(\d+)/.exec(raw);
  const line = position?.[1] ? Number(position[1]) : undefined;
  const column = position?.[2] ? Number(position[2]) : undefined;
  const where = line !== undefined ? ` (line ${line}, column ${column})` : '';
  const failure = (message: string, variable?: string) =>
    new TemplateError(message, part, variable, line, column, { cause: err });
  const variable = /undefined variable: ([^,\s]+)/.exec(raw)?.[1];
  if (variable) return failure(`Unknown variable "${variable}" in the ${part} template${where}`, variable);
  const filter = /undefined filter: ([^,\s]+)/.exec(raw)?.[1];
  if (filter) return failure(`Unknown filter "${filter}" in the ${part} template${where}`);
  if (/Failed to lookup|cannot include files/.test(raw)) {
    return failure(`The ${part} template tries to include a file${where}; templates cannot include files`);
  }
  const detail = raw.replace(/,\s*line:\d+, col:\d+[\s\S]*$/, '').split('\n')[0] ?? raw;
  const kind = err instanceof LiquidError ? 'Invalid' : 'Cannot render';
  return failure(`${kind} ${part} template${where}: ${detail}`);
}

function compile(engine: Liquid, source: string, part: TemplatePart): Template[] {
  const cache = caches.get(engine) ?? new Map<string, Template[]>();
  const hit = cache.get(source);
  if (hit) return hit;
  let parsed: Template[];
  try {
    parsed = engine.parse(source);
  } catch (err) {
    throw describeError(err, part);
  }
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(source, parsed);
  return parsed;
}

function renderPart(engine: Liquid, source: string, context: TemplateContext, part: TemplatePart): string {
  const templates = compile(engine, source, part);
  try {
    return String(engine.renderSync(templates, context));
  } catch (err) {
    throw describeError(err, part);
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** An HTML part for an email template that has none: the rendered text, escaped, with links and line breaks. */
function textToHtml(text: string): string {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const linked = escapeHtml(p).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
      return `<p>${linked.replace(/\n/g, '<br>\n')}</p>`;
    });
  return `<!DOCTYPE html>\n<html><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}

const EMAIL_TEXT = `Hi {{ lead.firstName }},

I'm {{ sender.name }}{% if sender.company %} from {{ sender.company }}{% endif %}. I'm reaching out because teams like {{ lead.company | default: "yours" }} often struggle with {{ lead.painPoints | first | default: "turning outreach into conversations" }}.

Would you be open to a 15-minute call next week to see whether we can help?

Best,
{{ sender.name }}{% if sender.company %}
{{ sender.company }}{% endif %}

--
Not interested? Unsubscribe: {{ unsubscribeUrl }}
`;

const EMAIL_HTML = `<!DOCTYPE html>
<html><body>
<p>Hi {{ lead.firstName }},</p>
<p>I'm {{ sender.name }}{% if sender.company %} from {{ sender.company }}{% endif %}. I'm reaching out because teams like {{ lead.company | default: "yours" }} often struggle with {{ lead.painPoints | first | default: "turning outreach into conversations" }}.</p>
<p>Would you be open to a 15-minute call next week to see whether we can help?</p>
<p>Best,<br>
{{ sender.name }}{% if sender.company %}<br>
{{ sender.company }}{% endif %}</p>
<p style="font-size:12px;color:#666">Not interested? <a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
</body></html>
`;

/** The channel's template when a campaign has none (docs/product.md §6). */
export const DEFAULT_TEMPLATES: Readonly<Record<ChannelType, ChannelTemplate>> = Object.freeze({
  EMAIL: {
    subject: 'Quick question for {{ lead.company | default: lead.firstName }}',
    body: EMAIL_TEXT,
    html: EMAIL_HTML,
  },
  LINKEDIN: {
    // Kept short: a connection note must fit LinkedIn's 300-character limit once rendered.
    body: 'Hi {{ lead.firstName }}, I work with teams like {{ lead.company | default: "yours" }} on faster lead follow-up. Would be glad to connect. – {{ sender.name }}',
  },
  CONTACT_FORM: {
    subject: 'Partnership enquiry for {{ lead.company | default: "your team" }}',
    body: `Hello {{ lead.company | default: "team" }},

I'm {{ sender.name }}{% if sender.company %} from {{ sender.company }}{% endif %}, and I'd like to reach {{ lead.fullName }}{% if lead.title %} ({{ lead.title }}){% endif %}. We help teams respond to new leads faster and book more meetings.

Could you forward this message, or let me know the best person to talk to? You can reach me at {{ sender.email }}.

Thank you,
{{ sender.name }}`,
  },
  PHONE: {
    subject: 'Call {{ lead.fullName }}{% if lead.company %} at {{ lead.company }}{% endif %}',
    body: `Call script for {{ lead.fullName }}{% if lead.title %}, {{ lead.title }}{% endif %}{% if lead.company %} at {{ lead.company }}{% endif %}{% if lead.timezone %} (time zone {{ lead.timezone }}){% endif %}.

1. Introduce yourself: "Hi {{ lead.firstName }}, this is {{ sender.name }}{% if sender.company %} from {{ sender.company }}{% endif %}."
2. Reason for the call: we help teams like {{ lead.company | default: "theirs" }} with {{ lead.painPoints | first | default: "lead follow-up" }}.
3. Ask: "Would a 15-minute call next week be useful?"
4. If not interested: thank them and record do-not-contact.`,
  },
});

export interface RenderMessageInput {
  channel: ChannelType;
  /** The campaign's template for this channel; the channel's default template when absent. */
  template?: ChannelTemplate;
  context: TemplateContext;
}

/**
 * Renders a message. Throws `TemplateError` on an unknown variable or filter, invalid syntax, or an email
 * template without a subject. Email always gets an HTML part (derived from the text when the template has none).
 */
export function renderMessage({ channel, template, context }: RenderMessageInput): RenderedMessage {
  return renderTemplate(template ?? DEFAULT_TEMPLATES[channel], context, channel);
}

function renderTemplate(tpl: ChannelTemplate, context: TemplateContext, channel?: ChannelType): RenderedMessage {
  const result: RenderedMessage = { text: renderPart(textEngine, tpl.body, context, 'body') };
  if (tpl.subject !== undefined) {
    // A subject is a single line.
    result.subject = renderPart(textEngine, tpl.subject, context, 'subject').replace(/\s+/g, ' ').trim();
  }
  if (channel === 'EMAIL' && !result.subject) {
    throw new TemplateError('An email template needs a subject, and it rendered empty', 'subject');
  }
  if (channel === 'EMAIL') result.text = withTextFooter(result.text, context.unsubscribeUrl);
  if (tpl.html !== undefined) result.html = renderPart(htmlEngine, tpl.html, context, 'html');
  else if (channel === 'EMAIL') result.html = textToHtml(result.text);
  if (channel === 'EMAIL' && result.html !== undefined)
    result.html = withHtmlFooter(result.html, context.unsubscribeUrl);
  return result;
}

/** The standard footer (docs/product.md §6), as the default email template words it. */
const textFooter = (url: string) => `\n--\nNot interested? Unsubscribe: ${url}\n`;
const htmlFooter = (url: string) =>
  `<p style="font-size:12px;color:#666">Not interested? <a href="${escapeHtml(url)}">Unsubscribe</a></p>\n`;

/**
 * Every email shows its unsubscribe link: a text part that does not contain the link (its template has no
 * `{{ unsubscribeUrl }}`, or only in a branch this lead did not take) gets the standard footer appended.
 */
function withTextFooter(text: string, url: string): string {
  if (!url || text.includes(url)) return text;
  return `${text.replace(/\s+$/, '')}\n${textFooter(url)}`;
}

/** The HTML part's footer, before `</body>` when there is one; a part that links the URL already is kept. */
function withHtmlFooter(html: string, url: string): string {
  if (!url || html.includes(url) || html.includes(escapeHtml(url))) return html;
  const bodyEnd = html.search(/<\/body>/i);
  if (bodyEnd < 0) return `${html}\n${htmlFooter(url)}`;
  return `${html.slice(0, bodyEnd)}${htmlFooter(url)}${html.slice(bodyEnd)}`;
}

export interface TemplateProblem {
  part: TemplatePart;
  message: string;
  variable?: string;
}

export interface TemplateValidation {
  valid: boolean;
  errors: TemplateProblem[];
  /** The message as it would be sent, when every part rendered. */
  rendered?: RenderedMessage;
}

const toProblem = (e: TemplateError): TemplateProblem => ({
  part: e.part,
  message: e.message,
  ...(e.variable ? { variable: e.variable } : {}),
});

const ARRAY_PROPERTIES = new Set(['size', 'first', 'last']);

/**
 * The dotted path of a variable's first segment missing from the context (`lead.compnay`), or undefined when
 * the path resolves or cannot be followed statically (a computed segment, an array index or property, a scalar).
 */
function missingPath(context: TemplateContext, segments: readonly unknown[]): string | undefined {
  let value: unknown = context;
  const path: string[] = [];
  for (const segment of segments) {
    if (typeof segment !== 'string' && typeof segment !== 'number') return undefined;
    const key = String(segment);
    if (Array.isArray(value)) {
      if (ARRAY_PROPERTIES.has(key) || /^-?\d+$/.test(key)) return undefined;
    } else if (value === null || typeof value !== 'object') return undefined;
    path.push(key);
    if (!Object.hasOwn(value as object, key)) return path.join('.');
    value = (value as Record<string, unknown>)[key];
  }
  return undefined;
}

/** Variables a template reads that the context lacks, in any branch (not only the one this lead takes). */
function unknownVariables(engine: Liquid, source: string, context: TemplateContext, part: TemplatePart) {
  const problems: TemplateProblem[] = [];
  const analysis = engine.analyzeSync(compile(engine, source, part));
  const seen = new Set<string>();
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) {
      const name = missingPath(context, variable.segments);
      if (name === undefined || seen.has(name)) continue;
      seen.add(name);
      const where = ` (line ${variable.location.row}, column ${variable.location.col})`;
      problems.push({ part, variable: name, message: `Unknown variable "${name}" in the ${part} template${where}` });
    }
  }
  return problems;
}

/**
 * Dry run: renders the template against a context without sending, and also reports unknown variables in
 * branches this lead does not take. Never throws for template problems.
 */
export function validateTemplate(
  template: ChannelTemplate,
  context: TemplateContext,
  channel?: ChannelType,
): TemplateValidation {
  const errors: TemplateProblem[] = [];
  const parts: [TemplatePart, string | undefined, Liquid][] = [
    ['subject', template.subject, textEngine],
    ['body', template.body, textEngine],
    ['html', template.html, htmlEngine],
  ];
  for (const [part, source, engine] of parts) {
    if (source === undefined) continue;
    try {
      errors.push(...unknownVariables(engine, source, context, part));
    } catch (err) {
      errors.push(toProblem(describeError(err, part)));
    }
  }
  if (errors.length > 0) return { valid: false, errors };
  try {
    return { valid: true, errors, rendered: renderTemplate(template, context, channel) };
  } catch (err) {
    const e = describeError(err, 'body');
    return { valid: false, errors: [toProblem(e)] };
  }
}
