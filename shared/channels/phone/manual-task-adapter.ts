import type { ChannelAdapter } from '#shared/outreach/channel-adapter';

/** PHONE has no automated send: the step leaves an operator a call task and the sequence moves on. */
export const phoneAdapter: ChannelAdapter = {
  channel: 'PHONE',
  async prepare({ lead }) {
    if (!lead.phone) return { verdict: { outcome: 'FALLBACK', reason: 'missing_address', delivered: false } };
    return { plan: { recipient: lead.phone } };
  },
  async send(_plan, { content }) {
    return {
      verdict: { outcome: 'FALLBACK', reason: 'manual_task_created', delivered: false },
      messageStatus: 'SKIPPED',
      manualTask: { reason: 'phone_call', detail: content.text },
    };
  },
};
