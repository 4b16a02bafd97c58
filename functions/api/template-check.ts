import type { ChannelTemplate, ChannelType } from '#shared/domain/schemas';
import {
  buildTemplateContext,
  type TemplateCampaignSource,
  type TemplateContext,
  type TemplateLeadSource,
  validateTemplate,
} from '#shared/templates/render';
import type { ErrorDetail } from './errors';

/** A lead with every field filled in: templates are checked against it before they are stored. */
export const SAMPLE_LEAD: TemplateLeadSource = {
  leadId: 'lead_sample',
  campaignId: 'sample',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@analytical-engines.example',
  company: 'Analytical Engines Ltd',
  title: 'Head of Operations',
  website: 'https://analytical-engines.example',
  linkedinUrl: 'https://www.linkedin.com/in/ada-lovelace-sample',
  contactFormUrl: 'https://analytical-engines.example/contact',
  phone: '+44 20 7946 0000',
  timezone: 'Europe/London',
  industry: 'Computing',
  employeeCount: 42,
  leadScore: 0.8,
  budgetRange: '$10k-$50k',
  timelineMonths: 3,
  painPoints: ['slow lead follow-up'],
  tags: ['conference'],
  status: 'NEW',
  grade: 'A',
  gradeReasons: [],
  conversionProbability: 0.7,
  linkedinConnectionStatus: 'NOT_CONNECTED',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export const SAMPLE_CAMPAIGN: TemplateCampaignSource = {
  campaignId: 'sample',
  name: 'Sample campaign',
  sender: { name: 'Sam Sender', email: 'sam@sender.example', company: 'Sender Co' },
  minGrade: 'C',
  state: 'ACTIVE',
};

const SAMPLE_UNSUBSCRIBE_URL = 'https://api.example/v1/unsubscribe?token=sample';

export function sampleContext(campaign: TemplateCampaignSource = SAMPLE_CAMPAIGN): TemplateContext {
  return buildTemplateContext(SAMPLE_LEAD, campaign, SAMPLE_UNSUBSCRIBE_URL);
}

/** Problems of one template as field details (`<field>.subject`, `<field>.body`, `<field>.html`). */
export function templateDetails(
  template: ChannelTemplate,
  field: string,
  context: TemplateContext,
  channel?: ChannelType,
): ErrorDetail[] {
  const { errors } = validateTemplate(template, context, channel);
  return errors.map((problem) => ({
    field: field ? `${field}.${problem.part}` : problem.part,
    message: problem.message,
  }));
}

/**
 * Templates stored together (a campaign's, or one channel config's) must fit one DynamoDB item with room
 * to spare: when they do not, the largest part is named (`templates.EMAIL.html: …`).
 */
export function templateSizeDetails(
  templates: Record<string, ChannelTemplate | undefined>,
  prefix: string,
  maxBytes: number,
): ErrorDetail[] {
  const parts = Object.entries(templates).flatMap(([name, template]) =>
    template
      ? (['subject', 'body', 'html'] as const).flatMap((part) => {
          const source = template[part];
          return source === undefined
            ? []
            : [{ field: [prefix, name, part].filter(Boolean).join('.'), bytes: Buffer.byteLength(source, 'utf8') }];
        })
      : [],
  );
  const total = parts.reduce((sum, part) => sum + part.bytes, 0);
  if (total <= maxBytes) return [];
  const largest = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return [
    {
      field: largest.field,
      message: `makes the templates ${total} bytes together; at most ${maxBytes} bytes (UTF-8) can be stored`,
    },
  ];
}
