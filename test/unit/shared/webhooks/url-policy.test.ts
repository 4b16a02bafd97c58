import { describe, expect, it } from 'vitest';
import { webhookUrlRefusal } from '#shared/webhooks/url-policy';
import { isolateEnv } from '#test/support/env';

isolateEnv([
  'CASCADE_CONNECT_TO',
  'CASCADE_TRUSTED_ORIGINS',
  'CASCADE_ALLOW_PRIVATE_NETWORK',
  'AWS_LAMBDA_RUNTIME_API',
]);

describe('webhookUrlRefusal', () => {
  it('accepts a public https URL', () => {
    // Act / Assess
    expect(webhookUrlRefusal('https://hooks.example.com/cascade?team=1')).toBeUndefined();
    expect(webhookUrlRefusal('https://93.184.216.34/hook')).toBeUndefined();
  });

  it.each([
    ['not a url', 'invalid_url'],
    ['http://hooks.example.com/cascade', 'https_required'],
    ['ftp://hooks.example.com/cascade', 'https_required'],
    ['https://user:pass@hooks.example.com/', 'credentials_in_url'],
    ['https://127.0.0.1/hook', 'private_network'],
    ['http://127.0.0.1:8080/hook', 'private_network'],
    ['https://[::1]/hook', 'private_network'],
    ['https://10.1.2.3/hook', 'private_network'],
    ['https://192.168.0.10/hook', 'private_network'],
    ['https://169.254.10.1/hook', 'private_network'],
    ['http://169.254.169.254/latest/meta-data', 'private_network'],
    ['https://localhost/hook', 'private_network'],
    ['https://metadata.google.internal/computeMetadata', 'private_network'],
  ])('refuses %s by the rule %s', (url, rule) => {
    // Act
    const refusal = webhookUrlRefusal(url);

    // Assess
    expect(refusal?.rule).toBe(rule);
    expect(refusal?.message).toBeTruthy();
  });

  it('names the kind of address a private target is', () => {
    // Act
    const refusal = webhookUrlRefusal('https://169.254.169.254/');

    // Assess
    expect(refusal?.message).toMatch(/cloud metadata address/);
    expect(refusal?.message).toMatch(/--allow-private-network/);
  });

  it('allows loopback and plain http when the private network is allowed for local testing', () => {
    // Prepare
    process.env.CASCADE_ALLOW_PRIVATE_NETWORK = '1';

    // Act / Assess
    expect(webhookUrlRefusal('http://127.0.0.1:8080/hook')).toBeUndefined();
    expect(webhookUrlRefusal('http://localhost:8080/hook')).toBeUndefined();
    expect(webhookUrlRefusal('https://user:pass@127.0.0.1/')?.rule).toBe('credentials_in_url');
  });

  it('allows exactly the trusted origins, nothing else on loopback', () => {
    // Prepare
    process.env.CASCADE_TRUSTED_ORIGINS = 'http://127.0.0.1:8791';

    // Act / Assess
    expect(webhookUrlRefusal('http://127.0.0.1:8791/hooks')).toBeUndefined();
    expect(webhookUrlRefusal('http://127.0.0.1:8792/hooks')?.rule).toBe('private_network');
  });
});
