import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventReceiver, startEventReceiver, subscribeToEvents } from '#cli/event-printer';
import { type ApiServer, startApiServer } from '#cli/serve';
import { signWebhook } from '#shared/webhooks/signing';
import { cascadeAgainst, errorLines } from '#test/support/cli';

/**
 * `cascade webhooks add|list|remove|deliveries|retry` as subprocesses against an API served by this process, and
 * the loopback receiver of `cascade serve --events`, trusted by the stack as serve trusts it (PRODUCT.md §7, §11).
 */

const TOKEN = 'webhooks-cli-test-token';
const RECEIVER = 'https://hooks.acme-crm.test/cascade';
let server: ApiServer;
let receiver: EventReceiver;
const printed: string[] = [];
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

beforeAll(async () => {
  // As `serve --events` does: the receiver first, so the stack can trust its origin.
  receiver = await startEventReceiver((line) => printed.push(line));
  server = await startApiServer({ port: 0, token: TOKEN, trustedOrigins: [receiver.origin] });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe('cascade webhooks', () => {
  it('adds a webhook, printing the secret once; lists it without the secret; removes it', async () => {
    // Act
    const added = await cascade(['webhooks', 'add', RECEIVER, '--events', 'message.sent,lead.stopped']);
    const webhookId = /added webhook (wh_[0-9a-f]{24})/.exec(added.stdout)?.[1] ?? '';
    const listed = await cascade(['webhooks', 'list']);
    const listedJson = await cascade(['webhooks', 'list', '--json']);
    const removed = await cascade(['webhooks', 'remove', webhookId]);
    const after = await cascade(['webhooks', 'list', '--json']);

    // Assess
    expect(added.code).toBe(0);
    const lines = added.stdout.trim().split('\n');
    expect(lines[0]).toBe(`added webhook ${webhookId} → ${RECEIVER} (events message.sent,lead.stopped)`);
    expect(lines[1]).toMatch(/^secret whsec_\S{32}$/);
    expect(lines[2]).toMatch(/will not be shown again/);
    expect(listed.stdout.split('\n')[0]).toMatch(/^webhook\s+url\s+events\s+state\s+created\s+description$/);
    expect(listed.stdout).toContain(webhookId);
    expect(`${listed.stdout}${listedJson.stdout}`).not.toContain('whsec_');
    const ids = (run: { stdout: string }) =>
      (JSON.parse(run.stdout) as { items: { webhookId: string }[] }).items.map((hook) => hook.webhookId);
    expect(ids(listedJson)).toContain(webhookId);
    expect(removed.stdout.trim()).toBe(`removed webhook ${webhookId}`);
    expect(ids(after)).not.toContain(webhookId);
  });

  it('prints the created webhook and its secret as JSON with --json, and an empty delivery log', async () => {
    // Act
    const added = await cascade(['webhooks', 'add', RECEIVER, '--events', '*', '--description', 'CRM', '--json']);
    const created = JSON.parse(added.stdout) as { webhook: { webhookId: string }; secret: string };
    const deliveries = await cascade(['webhooks', 'deliveries', created.webhook.webhookId, '--status', 'dead']);

    // Assess
    expect(created).toMatchObject({ webhook: { events: ['*'], description: 'CRM' }, secret: expect.any(String) });
    expect(created.secret).toMatch(/^whsec_/);
    expect(deliveries.code).toBe(0);
    expect(deliveries.stdout.trim()).toBe('no deliveries');
  });

  it('says in one line what is wrong: a loopback URL (naming the rule), an unknown event, an unknown id', async () => {
    // Act
    const [loopback, unknownEvent, unknownId, unknownRetry] = await Promise.all([
      cascade(['webhooks', 'add', 'http://127.0.0.1:1/hooks', '--events', '*']),
      cascade(['webhooks', 'add', RECEIVER, '--events', 'message.teleported']),
      cascade(['webhooks', 'remove', 'wh_000000000000000000000000']),
      cascade(['webhooks', 'retry', 'wh_000000000000000000000000', 'dlv_x']),
    ]);

    // Assess
    expect([loopback.code, unknownEvent.code, unknownId.code, unknownRetry.code]).toEqual([1, 1, 1, 1]);
    expect(errorLines(loopback)).toEqual([expect.stringMatching(/^cascade: invalid_webhook_url: .*\(url: /)]);
    expect(errorLines(unknownEvent)).toEqual([expect.stringMatching(/^cascade: validation_error: .*events\.0: /)]);
    expect(errorLines(unknownId)).toEqual([expect.stringMatching(/^cascade: not_found: webhook wh_0+ does not exist/)]);
    expect(errorLines(unknownRetry)).toEqual([expect.stringMatching(/^cascade: not_found: /)]);
  });

  it('documents every verb with --help', async () => {
    // Act
    const helps = await Promise.all(
      ['add', 'list', 'remove', 'deliveries', 'retry'].map((verb) => cascade(['webhooks', verb, '--help'])),
    );

    // Assess
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: cascade webhooks /);
    }
    expect(helps[0]?.stdout).toContain('--events <types>');
  });
});

describe('the receiver of cascade serve --events', () => {
  it('is registered for every event though it is loopback (trusted), prints signed events, refuses the rest', async () => {
    // Prepare
    const subscription = await subscribeToEvents({ url: server.url, token: TOKEN }, receiver);
    const listed = await cascade(['webhooks', 'list', '--json']);
    const secret = `whsec_${Buffer.from('not-the-webhook-secret!!').toString('base64')}`;
    const event = {
      id: 'evt_printed',
      type: 'message.sent',
      createdAt: '2026-12-24T08:05:09.000Z',
      campaignId: 'c-demo',
      leadId: 'lead_1',
      data: { step: 1, channel: 'EMAIL' },
    };
    const body = JSON.stringify(event);
    const post = (headers: Record<string, string>) =>
      fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    // Act
    const forged = await post({ ...signWebhook(secret, event.id, body) });
    const webhook = (
      JSON.parse(listed.stdout) as { items: { webhookId: string; url: string; events: string[] }[] }
    ).items.find((hook) => hook.webhookId === subscription.webhookId);
    await subscription.remove();
    const afterRemove = await cascade(['webhooks', 'list', '--json']);

    // Assess
    expect(webhook).toMatchObject({ url: receiver.url, events: ['*'] });
    expect(forged.status).toBe(401);
    expect(printed.some((line) => line.includes('refused'))).toBe(true);
    expect(printed.some((line) => line.includes('message.sent'))).toBe(false);
    expect(afterRemove.stdout).not.toContain(subscription.webhookId);
  });
});

describe('the receiver, on its own', () => {
  it('prints each signed event once (a redelivery is answered, not printed again); 503 until it knows the secret', async () => {
    // Prepare
    const lines: string[] = [];
    const own = await startEventReceiver((line) => lines.push(line));
    const secret = `whsec_${Buffer.from('the-webhook-secret-24byt').toString('base64')}`;
    const event = {
      id: 'evt_once',
      type: 'task.created',
      createdAt: '2026-12-24T09:10:11.000Z',
      campaignId: 'c-demo',
      leadId: 'lead_2',
      data: { step: 3, channel: 'PHONE', taskId: 'task_1' },
    };
    const body = JSON.stringify(event);
    const post = () =>
      fetch(own.url, { method: 'POST', headers: { ...signWebhook(secret, event.id, body) }, body }).then(
        (r) => r.status,
      );

    // Act
    const early = await post();
    own.setSecret(secret);
    const first = await post();
    const again = await post();
    await own.close();

    // Assess
    expect([early, first, again]).toEqual([503, 204, 204]);
    expect(lines).toEqual([
      '09:10:11  task.created        lead lead_2  campaign c-demo  step 3  channel PHONE  task task_1',
    ]);
  });
});
