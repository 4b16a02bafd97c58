import * as z from 'zod';
import {
  ChannelType,
  Grade,
  Lead,
  LinkedInConnectionStatus,
  OutreachAttempt,
  OutreachMessage,
} from '#shared/domain/schemas';
import { ErrorDetail, id, pageOf, pageQuery, singleLine } from './common';

/** Request and response schemas of the lead routes: import, read, erase, operator outreach, history. */

export const LeadParams = z.object({ id: id('Lead id') });
export const HistoryQuery = pageQuery(200, 50);

/** An imported list: JSON strings or one `a; b` text cell. */
const importedList = z.union([z.array(z.string()), z.string()]);

/**
 * Documentation of one imported lead (JSON object or CSV row); rows are validated one by one by the lead
 * import (shared/leads/import.ts), errors per row. The fields are the stored lead's, each optional, in the
 * order of a lead file; `linkedinStatus` is the import's name for the connection status. Where a row is
 * looser than a stored lead, the field says how: any first name (a blank one is that row's error), 0 months
 * for no timeline, lists as text.
 */
export const LeadImportRecord = z
  .object({
    ...Lead.pick({
      firstName: true,
      lastName: true,
      email: true,
      company: true,
      title: true,
      website: true,
      linkedinUrl: true,
      linkedinProviderId: true,
    }).partial().shape,
    linkedinStatus: LinkedInConnectionStatus.optional(),
    ...Lead.pick({
      contactFormUrl: true,
      phone: true,
      timezone: true,
      country: true,
      leadScore: true,
      budgetRange: true,
      timelineMonths: true,
      painPoints: true,
      tags: true,
      industry: true,
      employeeCount: true,
    }).partial().shape,
  })
  .extend({
    firstName: z.string(),
    timelineMonths: z.number().int().min(0).optional(),
    painPoints: importedList.optional(),
    tags: importedList.optional(),
  })
  .meta({
    id: 'LeadImportRecord',
    description: 'One lead. snake_case keys (`first_name`) are accepted too; lists may be `a; b` text.',
  });

/** Validated as any array: each item is then validated on its own, so one bad lead is one rejected row. */
export const LeadImportRequest = z.array(z.unknown());
export const LeadImportRequestDoc = z
  .array(LeadImportRecord)
  .meta({ id: 'LeadImportRequest', description: 'At most 10,000 leads; each is validated on its own.' });

export const OperatorOutreachRequest = z
  .object({
    body: z.string().min(1).max(8_000).meta({ description: 'A Liquid template, like any channel template' }),
    subject: singleLine(z.string().min(1).max(998)).optional(),
    forceChannel: ChannelType.optional().meta({ description: 'One step on this channel, no fallback' }),
  })
  .meta({ id: 'OperatorOutreachRequest' });

export const LeadResponse = Lead.extend({
  erasedAt: z.iso.datetime().optional().meta({ description: 'Set once personal data was erased' }),
}).meta({ id: 'Lead' });

export const LeadImportResponse = z
  .object({
    campaignId: z.string(),
    rows: z.number().int().meta({ description: 'Rows read (CSV data rows or array items)' }),
    imported: z.number().int(),
    rejected: z.number().int(),
    leads: z.array(z.object({ row: z.number().int(), leadId: z.string(), grade: Grade })),
    rejectedRows: z.array(
      z.object({
        row: z.number().int().meta({ description: '1-based data row (the CSV header is not counted)' }),
        reasons: z.array(z.string()),
        errors: z.array(ErrorDetail),
        leadId: z.string().optional().meta({
          description:
            'Set when the address is already in this campaign: the id of that lead (a retried import gets the ids an earlier import stored)',
        }),
      }),
    ),
    unknownColumns: z.array(z.string()).meta({
      description:
        'CSV columns (or JSON keys) that name no lead field, as given: their values were not imported. Headers match in any case and with any separator (`First Name`, `FIRST_NAME`), and common names too (`E-mail`, `Company Name`, `Job Title`).',
    }),
  })
  .meta({ id: 'LeadImportResult' });

export const OutreachStartedResponse = z
  .object({
    executionName: z.string(),
    executionArn: z.string(),
    channel: ChannelType.nullable().meta({ description: 'The forced channel; null when the sequence runs' }),
  })
  .meta({ id: 'OutreachStarted' });

export const LeadErasureResponse = z
  .object({
    leadId: z.string(),
    erased: z.literal(true),
    erasedAt: z.iso.datetime(),
    suppression: z.string().nullable().meta({ description: 'The HASH#<sha256> entry that keeps the address out' }),
    messagesErased: z.number().int(),
  })
  .meta({ id: 'LeadErasure' });

export const HistoryEntryResponse = z
  .discriminatedUnion('kind', [
    OutreachMessage.extend({ kind: z.literal('message'), erasedAt: z.iso.datetime().optional() }),
    OutreachAttempt.extend({ kind: z.literal('attempt'), result: z.record(z.string(), z.unknown()).optional() }),
  ])
  .meta({ id: 'HistoryEntry' });

export const HistoryPageResponse = pageOf(HistoryEntryResponse).meta({ id: 'HistoryPage' });

// ---- steering: pause, resume, listing and export

export const LeadSteeringResponse = z
  .object({
    leadId: z.string(),
    status: Lead.shape.status,
    stopReason: Lead.shape.stopReason,
    resumeFrom: Lead.shape.resumeFrom.meta({
      description: 'Pause: the step not sent yet; resume: where the run restarted',
    }),
    executionName: z
      .string()
      .optional()
      .meta({ description: 'Pause: the execution stopped; resume: the new execution `<campaign>--<lead>--r<n>`' }),
  })
  .meta({ id: 'LeadSteering' });

export const LeadResumeRequest = z
  .strictObject({
    fromStep: id(
      'A step id of the campaign’s current sequence to restart at, instead of where the lead stopped',
    ).optional(),
  })
  .meta({ id: 'LeadResumeRequest' });

/** `GET /v1/campaigns/{id}/leads`: one status or all, up to 100 a page. */
export const CampaignLeadsQuery = pageQuery(100, 50).extend({
  status: Lead.shape.status.optional().meta({ description: 'Only leads in this status (default: every status)' }),
});

export const CampaignLeadsPageResponse = pageOf(LeadResponse).meta({ id: 'CampaignLeadsPage' });
