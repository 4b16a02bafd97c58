import type { AuthorizationRequest } from '../iam';
import { describeDynamo, describeEvents, describeSsm, describeStates, targetOperation } from './json-services';
import { describeS3 } from './s3';
import { describeSes } from './ses';
import { describeSqs } from './sqs';
import { type AccountNames, type AwsService, parseJson, type WireRequest } from './wire';

/**
 * What IAM authorizes for one AWS API request, read off the wire as the service would: the action and the ARNs
 * of the resources it touches (per the Service Authorization Reference). Resources a request does not name
 * become `*`, which only a `Resource: "*"` grant allows.
 */
export function describeRequest(
  service: AwsService,
  request: WireRequest,
  names: AccountNames,
): AuthorizationRequest[] {
  if (service === 'ses') return describeSes(request, names);
  if (service === 's3') return describeS3(request);
  const operation = targetOperation(request.headers);
  const body = parseJson(request.body);
  const arn = (resource: string) => `arn:aws:${service}:${names.region}:${names.accountId}:${resource}`;
  switch (service) {
    case 'dynamodb':
      return describeDynamo(operation, body, arn);
    case 'states':
      return describeStates(operation, body, arn);
    case 'ssm':
      return describeSsm(operation, body, names);
    case 'events':
      return describeEvents(operation, body, arn);
    case 'sqs':
      return describeSqs(operation, body, names);
  }
}
