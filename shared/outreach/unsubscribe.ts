import { createHmac, timingSafeEqual } from 'node:crypto';
import { requiredSetting } from '../config/settings';
import { requiredSecret } from '../secrets';

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
