/** Default AWS quotas (per account and region). */
export function quotas(regions: 'large' | 'other') {
  const large = regions === 'large';
  return {
    // Step Functions developer guide, "Quotas related to API action throttling" / "state throttling" (Standard).
    startExecution: { bucket: large ? 1_300 : 800, refill: large ? 300 : 150 },
    stateTransitions: { bucket: large ? 5_000 : 800, refill: large ? 1_500 : 500 },
    openExecutions: 1_000_000,
    lambdaConcurrency: 1_000,
    // SES production access starts at 50,000 messages per 24 h and 14 per second (sandbox: 200 and 1).
    ses: { perSecond: 14, perDay: 50_000 },
    dynamoItemWcu: 1_000,
  };
}

export type Quotas = ReturnType<typeof quotas>;

export interface Scenario {
  name: string;
  leadsPerDay: number;
  /** `schedule`: the stack's default cron (08–17 UTC, Mon–Fri), each tick launching as much as it can in 5 minutes. */
  launch: { kind: 'schedule' } | { kind: 'spread'; everySeconds: number };
  /** Enrolments per second one launch-batch invocation achieves in AWS (8 concurrent, ~46 ms each). */
  launcherRate: number;
  quotas: Quotas;
  /** Cascade's account-wide daily limit, raised by the operator to the volume (it sets the counter's shards). */
  globalPerDay: number;
  /** Duration of one ses-events invocation (from the bench). */
  sesEventSeconds: number;
}

interface Peak {
  peak: number;
  firstExceededAt?: number;
}

export type ResourcePeak = Peak & { quota: number; unit: string };

export interface ScenarioResult {
  scenario: string;
  started: number;
  startedPerDay: number[];
  emailsAcceptedPerDay: number[];
  sesThrottled: number;
  backlogAtEnd: number;
  transitionsPerLead: number;
  /** Most leads held back in one second by the transition bucket or Lambda concurrency (a herd being drained). */
  maxDeferredLeads: number;
  resources: Record<string, ResourcePeak>;
  firstBottleneck?: { resource: string; atSeconds: number };
}
