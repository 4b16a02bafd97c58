import { describe, expect, it } from 'vitest';
import type { ParsedForm } from '#shared/channels/contact-form/form-model';
import { encodeSubmission } from '#shared/channels/contact-form/send';
import { bestFixtureForm } from '#test/support/form-fixtures';

describe('encodeSubmission', () => {
  it('encodes multipart bodies with the given boundary and drops the action fragment', () => {
    // Prepare
    const form = { ...bestFixtureForm('gravity-honeypot'), action: 'https://site.example/contact-us/#gf_1' };

    // Act
    const encoded = encodeSubmission(form, { a: 'x', 'input_1.3': 'Ada' }, 'B');

    // Assess
    expect(encoded.url).toBe('https://site.example/contact-us/');
    expect(encoded.headers['content-type']).toBe('multipart/form-data; boundary=B');
    expect(encoded.body).toBe(
      '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--B\r\nContent-Disposition: form-data; name="input_1.3"\r\n\r\nAda\r\n--B--\r\n',
    );
  });

  it('puts GET forms in the query string and POST forms in an urlencoded body', () => {
    // Prepare
    const post = bestFixtureForm('plain-formspree');
    const get: ParsedForm = { ...post, method: 'GET', action: 'https://acme.example/send?old=1' };

    // Act
    const asPost = encodeSubmission(post, { name: 'Ada L', message: 'a&b' });
    const asGet = encodeSubmission(get, { name: 'Ada L' });

    // Assess
    expect(asPost).toMatchObject({ method: 'POST', body: 'name=Ada+L&message=a%26b' });
    expect(asPost.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(asGet).toMatchObject({ method: 'GET', url: 'https://acme.example/send?name=Ada+L' });
    expect(asGet.body).toBeUndefined();
  });
});
