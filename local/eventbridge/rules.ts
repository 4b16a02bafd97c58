import { validateEventPattern } from './event-pattern';
import { parseSchedule, type Schedule } from './schedule-expression';

/** The rules and targets the twin runs (read from the template), checked as AWS checks them, and what a target receives. */

export interface LocalTarget {
  id: string;
  arn: string;
  /** Constant JSON text that replaces the event (`Input`). */
  input?: string;
  /** JSONPath (`$.detail`, `$.detail['x-y']`, `$.resources[0]`) to the part of the event sent (`InputPath`). */
  inputPath?: string;
  /** Retries after the first failed delivery (`RetryPolicy.MaximumRetryAttempts`; AWS's default 185). */
  retryAttempts?: number;
  /** The dead-letter queue AWS would send an undeliverable event to (`DeadLetterConfig.Arn`). */
  deadLetterArn?: string;
}

export interface LocalRule {
  name: string;
  eventBusName: string;
  eventPattern?: object;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: LocalTarget[];
}

/** An event as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** A bus name or ARN → the bus's name (`default` when none is given, as in PutEvents). */
export const busNameOf = (nameOrArn: string | undefined): string =>
  (nameOrArn || 'default').replace(/^arn:.*:event-bus\//, '');

/**
 * Throws for a rule AWS would refuse (at start-up rather than at the first event); returns the rule's parsed
 * schedule when it has one.
 */
export function checkRule(rule: LocalRule): Schedule | undefined {
  if (!rule.eventPattern && !rule.scheduleExpression)
    throw new Error(`rule ${rule.name}: needs an event pattern or a schedule expression`);
  const reason = rule.eventPattern && validateEventPattern(rule.eventPattern);
  if (reason) throw new Error(`rule ${rule.name}: event pattern is not valid: ${reason}`);
  let schedule: Schedule | undefined;
  if (rule.scheduleExpression) {
    if (rule.eventBusName !== 'default') throw new Error(`rule ${rule.name}: schedules run on the default bus only`);
    schedule = parseSchedule(rule.scheduleExpression);
  }
  for (const target of rule.targets) checkTarget(rule, target);
  return schedule;
}

function checkTarget(rule: LocalRule, target: LocalTarget): void {
  if (target.input !== undefined && target.inputPath !== undefined)
    throw new Error(`rule ${rule.name} target ${target.id}: Input and InputPath are mutually exclusive`);
  if (target.input !== undefined) JSON.parse(target.input);
  if (target.inputPath !== undefined && !target.inputPath.startsWith('$'))
    throw new Error(`rule ${rule.name} target ${target.id}: InputPath ${target.inputPath} does not start with $`);
}

/** What a target receives: its constant Input, the part its InputPath selects, or the whole event. */
export function payloadFor(target: LocalTarget, event: EventEnvelope): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return selectPath(event, target.inputPath);
  return event;
}

/** The JSONPath subset InputPath uses: `$`, `.name`, `['name']` and `[index]`. */
function selectPath(value: unknown, path: string): unknown {
  const steps = path.slice(1).matchAll(/\.([^.[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]/gy);
  let current = value;
  for (const [, dotted, single, double, index] of steps) {
    const key = dotted ?? single ?? double ?? Number(index);
    current = (current as Record<string | number, unknown> | null | undefined)?.[key];
  }
  return current;
}
