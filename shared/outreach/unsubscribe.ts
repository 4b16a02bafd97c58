import { createHmac, timingSafeEqual } from 'node:crypto';
import { requiredSetting } from '../config/settings';
import type { Lead } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { unsubscribedFact } from '../events/facts';
import { requiredSecret } from '../secrets';
import { getLead } from '../store/leads';

function secret(): string {
  return requiredSecret('CASCADE_UNSUBSCRIBE_SECRET');
}

function sign(payload: string): string {
  return createHmac('sha256', secret()).update(payload).digest('base64url');
}

/** A signed, opaque token naming the lead and campaign; no lookup table needed to honour it. */
export function unsubscribeToken(leadId: string, campaignId: string): string {
  const payload = Buffer.from(JSON.stringify({ l: leadId, c: campaignId })).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function verifyUnsubscribeToken(token: string): { leadId: string; campaignId: string } | undefined {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return undefined;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const { l, c } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { l: string; c: string };
  return { leadId: l, campaignId: c };
}

export function unsubscribeUrl(leadId: string, campaignId: string): string {
  // The stack gives every sending function the public API URL; there is no loopback default to fall back on.
  const base = requiredSetting('CASCADE_PUBLIC_API_URL');
  return `${base.replace(/\/$/, '')}/v1/unsubscribe?token=${unsubscribeToken(leadId, campaignId)}`;
}

/**
 * `lead.unsubscribed` after the one-click unsubscribe moved the lead (or found it moved: a retried click makes good
 * a crash before the event; one event per lead either way). A lead stopped by a complaint or erased says nothing.
 */
export async function recordUnsubscribed(leadId: string, source = 'unsubscribe_link'): Promise<void> {
  const lead = await getLead(leadId);
  if (lead?.status !== 'UNSUBSCRIBED' || lead.stopReason === 'complaint') return;
  if ((lead as Lead & { erasedAt?: string }).erasedAt !== undefined) return;
  await recordDomainEvent(unsubscribedFact(lead, source));
}
