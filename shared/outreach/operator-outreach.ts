import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { requiredSetting } from '../config/settings';
import { type ChannelType, type LeadStatus, SequenceConfig } from '../domain/schemas';
import { CodedError } from '../errors';
import { executionNameFor, sha256 } from '../ids';
import { getCampaign, getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { retryPoliciesFor, sequenceRunFields } from './sequence-run';
import { buildExecutionInput, type ContentOverride } from './task-input';

export class OutreachNotAllowedError extends CodedError(
  'OutreachNotAllowedError',
  'outreach_not_allowed',
  'conflict',
) {}

export class NotFoundError extends CodedError('NotFoundError', 'not_found', 'not_found') {}

/** Leads an operator may write to; a running sequence, a reply, an unsubscribe or a bounce forbid it. */
const OPERATOR_SENDABLE: readonly LeadStatus[] = ['NEW', 'CONTACTED', 'EXHAUSTED'];

export interface OperatorOutreach {
  leadId: string;
  body: string;
  subject?: string;
  /** A one-step sequence on this channel, no fallback. Without it, the campaign's sequence runs. */
  forceChannel?: ChannelType;
  /** Distinguishes two deliberate sends to one lead (e.g. the request's idempotency key). */
  requestKey: string;
}

/**
 * Starts one execution that sends the operator's message. The lead is moved to IN_SEQUENCE with a
 * conditional write first, so concurrent operator sends (or a batch racing one) cannot both start.
 */
export async function startOperatorOutreach(
  request: OperatorOutreach,
  stateMachineArn = requiredSetting('CASCADE_STATE_MACHINE_ARN'),
) {
  const lead = await getLead(request.leadId);
  if (!lead) throw new NotFoundError(`lead ${request.leadId} does not exist`);
  const campaign = await getCampaign(lead.campaignId);
  if (!campaign) throw new NotFoundError(`campaign ${lead.campaignId} does not exist`);
  if (campaign.state !== 'ACTIVE')
    throw new OutreachNotAllowedError(`campaign ${campaign.campaignId} is ${campaign.state}`);
  if (!stateMachineArn) throw new Error('CASCADE_STATE_MACHINE_ARN is not set');

  const sequence = request.forceChannel ? forcedSequence(campaign.sequence, request.forceChannel) : campaign.sequence;
  const base = executionNameFor(campaign.campaignId, lead.leadId);
  const executionName = `${base.slice(0, 66)}-op-${sha256(request.requestKey).slice(0, 10)}`;
  // Read before the lead is taken: a failed read leaves it as it was.
  const retryPolicies = await retryPoliciesFor(campaign.campaignId, sequence);
  try {
    await transitionLead(lead, OPERATOR_SENDABLE, 'IN_SEQUENCE', {
      executionName,
      sequenceVersion: sequence.version,
      ...sequenceRunFields(campaign),
    });
  } catch (error) {
    if (error instanceof LeadStatusConflictError) {
      throw new OutreachNotAllowedError(
        `lead ${lead.leadId} is ${lead.status}: only ${OPERATOR_SENDABLE.join(', ')} leads can be contacted`,
      );
    }
    throw error;
  }
  const override: ContentOverride = { body: request.body, ...(request.subject && { subject: request.subject }) };
  try {
    const started = await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn,
        name: executionName,
        input: JSON.stringify(
          buildExecutionInput(campaign.campaignId, lead.leadId, sequence, override, undefined, retryPolicies),
        ),
      }),
    );
    return { executionName, executionArn: started.executionArn ?? '', channel: request.forceChannel ?? null };
  } catch (error) {
    await transitionLead(lead, ['IN_SEQUENCE'], lead.status, {
      executionName: lead.executionName,
      sequenceDeadline: lead.sequenceDeadline,
    });
    throw error;
  }
}

/**
 * A one-step sequence on the forced channel that keeps the campaign's own policy for that channel (retries,
 * backoff, rate-limit handling): `maxRetries: 0` means one try, as in the campaign. Sent at once: no wait before.
 */
export function forcedSequence(sequence: SequenceConfig, channel: ChannelType): SequenceConfig {
  const own = sequence.steps.find((step) => step.channel === channel);
  const step = own ? { ...own, waitHoursBefore: 0 } : { channel };
  return SequenceConfig.parse({ version: sequence.version, steps: [step] });
}
