import type { ChannelConfig } from '#shared/domain/schemas';

/**
 * An enabled channel config with room to send (100 an hour and a day), the default retry policy (two retries,
 * after 24 h and 48 h) and no settings; tests override what they exercise.
 */
export function testChannelConfig(
  channel: ChannelConfig['channel'],
  scope: string,
  overrides: Partial<ChannelConfig> = {},
): ChannelConfig {
  return {
    channel,
    scope,
    enabled: true,
    rateLimits: { perHour: 100, perDay: 100 },
    retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
    settings: {},
    ...overrides,
  };
}
