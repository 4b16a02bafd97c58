import { ExecutionAlreadyExists, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { toApiError } from '#functions/api/errors';
import { HttpProblem, LeadNotFoundError, StoreUnavailableError } from '#shared/errors';
import { CampaignNotActiveError } from '#shared/outreach/launcher';
import { NotFoundError, OutreachNotAllowedError } from '#shared/outreach/operator-outreach';
import {
  CampaignConflictError,
  CampaignExistsError,
  DuplicateLeadError,
  LeadStatusConflictError,
} from '#shared/store/leads';
import { TemplateError } from '#shared/templates/render';
import { WebhookSignatureError } from '#shared/tracking/linkedin-events';

/** The API answers core errors by their kind and code (typed), never by their class names. */
describe('toApiError', () => {
  it.each([
    [new NotFoundError('lead l1 does not exist'), 404, 'not_found'],
    [new LeadNotFoundError('lead l1 does not exist'), 404, 'lead_not_found'],
    [new OutreachNotAllowedError('the lead unsubscribed'), 409, 'outreach_not_allowed'],
    [new CampaignNotActiveError('campaign c1 is PAUSED'), 409, 'campaign_not_active'],
    [new LeadStatusConflictError('the lead moved on'), 409, 'lead_status_conflict'],
    [new DuplicateLeadError('lead l1 exists'), 409, 'duplicate_lead'],
    [new CampaignExistsError('campaign c1 exists'), 409, 'campaign_exists'],
    [new CampaignConflictError('campaign c1 changed'), 409, 'campaign_conflict'],
    [new WebhookSignatureError('bad signature'), 401, 'unauthorized'],
    [new TemplateError('unknown variable lead.compnay', 'body'), 400, 'template_error'],
  ])('answers %o with %i %s and its message, keeping it as the cause', (error, status, code) => {
    // Act
    const answer = toApiError(error);

    // Assess
    expect(answer).toMatchObject({ status, code, message: error.message });
    expect(answer.cause).toBe(error);
  });

  it('lets an HttpProblem through as it is', () => {
    // Prepare
    const problem = new HttpProblem(413, 'too_many_leads', 'split the file', { details: [{ field: 'body' }] });

    // Act / Assess
    expect(toApiError(problem)).toBe(problem);
  });

  it.each([
    [new ExecutionDoesNotExist({ message: 'arn:aws:states:… does not exist', $metadata: {} }), 404, 'not_found'],
    [new ExecutionAlreadyExists({ message: 'arn:aws:states:… exists', $metadata: {} }), 409, 'execution_exists'],
  ])('answers Step Functions refusal %o without its wording', (error, status, code) => {
    // Act
    const answer = toApiError(error);

    // Assess
    expect(answer).toMatchObject({ status, code });
    expect(answer.message).not.toContain('arn:aws');
  });

  it.each([
    new StoreUnavailableError('ThrottlingException: slow down'),
    new Error('connect ECONNREFUSED 127.0.0.1:8000'),
    Object.assign(new Error('secret internals'), { name: 'DuplicateLeadError' }),
  ])('never leaks an internal error (%o): a bare 500', (error) => {
    // Act
    const answer = toApiError(error);

    // Assess
    expect(answer).toMatchObject({ status: 500, code: 'internal_error', message: 'Internal server error' });
  });
});
