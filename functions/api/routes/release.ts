import * as z from 'zod';
import { requiredSetting } from '#shared/config/settings';
import { LeadStatus } from '#shared/domain/schemas';
import { releaseParkedLead } from '#shared/outreach/release';
import { defineRoute } from '../route';
import { id } from '../schemas/common';
import { LeadParams } from '../schemas/leads';

export const LeadReleaseRequest = z
  .strictObject({
    decision: z.enum(['sent', 'not_sent']).meta({
      description:
        '`sent`: the provider took the message (it is recorded SENT, the lead CONTACTED); `not_sent`: it did not (the step is tried again in a new execution)',
    }),
    campaignId: id('The lead’s campaign, checked when given').optional(),
  })
  .meta({ id: 'LeadReleaseRequest' });

export const LeadReleaseResponse = z
  .object({
    leadId: z.string(),
    decision: z.enum(['sent', 'not_sent']),
    status: LeadStatus,
    messageId: z.string().optional(),
    executionName: z.string().optional().meta({ description: 'For `not_sent`: the run that tries the step again' }),
  })
  .meta({ id: 'LeadRelease' });

/** `POST /v1/leads/{id}/release`: settles an `ambiguous_send` no evidence settled (docs/product.md §3). */
export const releaseRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/leads/{id}/release',
    operationId: 'releaseLead',
    tag: 'Leads',
    summary: 'Settle a lead parked on an ambiguous send',
    description:
      'A try whose provider call may have happened (a crash mid-call) parks its lead PAUSED with `ambiguous_send` unless evidence (SES events, the message status) settles it. The operator decides: `sent` records the message SENT and the lead CONTACTED; `not_sent` marks the message FAILED and tries the step again in a new execution (while the campaign is paused, when it resumes). A lead that is not parked on an ambiguous send is a 409.',
    params: LeadParams,
    body: LeadReleaseRequest,
    errors: [409],
    responses: { 200: { description: 'The lead was released', schema: LeadReleaseResponse } },
    async handle({ params, body }) {
      const released = await releaseParkedLead(params.id, body.decision, {
        campaignId: body.campaignId,
        stateMachineArn: requiredSetting('CASCADE_STATE_MACHINE_ARN'),
      });
      return { status: 200, body: released };
    },
  }),
];
