/** Setting names that hold credentials: never echoed back by the API (they stay write-only). */
const SECRET_SETTING = /key|secret|token|password|credential/i;

export const REDACTED = '[redacted]';

export function redactSettings<T extends { settings?: Record<string, unknown> }>(config: T): T {
  if (!config.settings) return config;
  const settings = Object.fromEntries(
    Object.entries(config.settings).map(([name, value]) => [name, SECRET_SETTING.test(name) ? REDACTED : value]),
  );
  return { ...config, settings };
}
