import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FIXTURE_PATHS,
  type FixtureSite,
  startFixtureSite,
} from '#test/integration/shared/channels/contact-form/fixture-site';
import { type CliRun, runCascade } from '#test/support/cli';
import { formFixtureExpectation } from '#test/support/form-fixtures';

let site: FixtureSite;

/** `cascade …` as a user runs it, without the private-network allowance in the environment. */
function cascade(...args: string[]): Promise<CliRun> {
  return runCascade(args, {
    env: { CASCADE_CONNECT_TO: `formspree.io=${site.url}`, CASCADE_ALLOW_PRIVATE_NETWORK: undefined },
  });
}

const CONTACT_ARGS = ['--name', 'Ada Lovelace', '--email', 'ada@analytical.example', '--message', 'Hello from Cascade'];

function url(fixture: string): string {
  return `${site.url}${FIXTURE_PATHS[fixture]}`;
}

/** `cascade form submit <target>` with the sender's details, on the loopback fixture site. */
function submitTo(target: string, ...flags: string[]): Promise<CliRun> {
  return cascade('form', 'submit', target, ...CONTACT_ARGS, ...flags, '--allow-private-network');
}

beforeAll(async () => {
  site = await startFixtureSite();
});
afterAll(async () => {
  await site.close();
});
beforeEach(() => site.clear());

describe('cascade form inspect', () => {
  it('prints every fixture page as its expected.json says, best form first', async () => {
    // Prepare
    const fixtures = Object.keys(FIXTURE_PATHS);

    // Act
    const runs = await Promise.all(
      fixtures.map((name) => cascade('form', 'inspect', url(name), '--allow-private-network')),
    );

    // Assess
    for (const [index, name] of fixtures.entries()) {
      const run = runs[index];
      expect(run?.code, `${name}: ${run?.stderr}`).toBe(0);
      const report = JSON.parse(run?.stdout ?? '') as {
        url: string;
        forms: {
          action: string;
          method: string;
          enctype: string;
          fields: { name: string; type: string; role: string; required: boolean }[];
          protections: string[];
          submittable: boolean;
          reason: string | null;
        }[];
      };
      const want = formFixtureExpectation(name).first_form;
      const [first] = report.forms;
      expect(report.url).toBe(url(name));
      expect(first?.action.endsWith(want.action_endswith)).toBe(true);
      expect(first?.method).toBe(want.method);
      for (const [field, role] of Object.entries(want.roles)) {
        expect(first?.fields.find((candidate) => candidate.name === field)?.role, `${name} ${field}`).toBe(role);
      }
      expect(first?.submittable).toBe(want.submittable);
      expect(first?.reason).toBe(want.submittable ? null : 'form_spam_protected');
      expect(Object.keys(first ?? {}).sort()).toEqual(
        ['action', 'enctype', 'fields', 'method', 'protections', 'reason', 'submittable'].sort(),
      );
    }
    const cf7 = JSON.parse(runs[0]?.stdout ?? '') as { forms: { submittable: boolean; reason: string | null }[] };
    // The search box and the newsletter signup of the CF7 page come after the contact form, not submittable.
    expect(cf7.forms.slice(1).map((form) => form.reason)).toEqual([
      'not_contact_form:newsletter',
      'not_contact_form:search',
    ]);
    expect(site.posts()).toHaveLength(0);
  });

  it('refuses a loopback URL without --allow-private-network: one line on stderr, exit 1, no request', async () => {
    // Act
    // (The sandbox origin itself is trusted as the CASCADE_CONNECT_TO target; `localhost` resolves to it but is not.)
    const run = await cascade('form', 'inspect', url('cf7-basic').replace('127.0.0.1', 'localhost'));

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^cascade: .*allow-private-network/);
    expect(site.requests).toHaveLength(0);
  });
});

describe('cascade form submit', () => {
  it('fills and submits the first-ranked form, and prints what it sent', async () => {
    // Act
    const run = await submitTo(url('cf7-basic'), '--subject', 'Hi');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      outcome: string;
      reason: string | null;
      submitted: Record<string, string>;
    };
    expect(report).toMatchObject({ outcome: 'SENT', reason: null });
    const posts = site.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.fields).toEqual(report.submitted);
    expect(report.submitted).toMatchObject({
      _wpcf7: '123',
      _wpcf7_unit_tag: 'wpcf7-f123-p45-o1',
      'your-name': 'Ada Lovelace',
      'your-email': 'ada@analytical.example',
      'your-subject': 'Hi',
      'your-message': 'Hello from Cascade',
    });
  });

  it('--dry-run prints the fields with the outcome DRY_RUN (never SENT) and sends nothing', async () => {
    // Act
    const run = await submitTo(url('gravity-honeypot'), '--dry-run');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      outcome: string;
      detail: string;
      submitted: Record<string, string>;
      dryRun?: boolean;
    };
    expect(report.outcome).toBe('DRY_RUN');
    expect(report.detail).toMatch(/^dry run: nothing sent \(would POST to http:\/\/127\.0\.0\.1:\d+\/contact-us\/\)$/);
    expect(report.dryRun).toBe(true);
    expect(report.submitted).toMatchObject({
      'input_1.3': 'Ada',
      'input_1.6': 'Lovelace',
      input_4: '',
      gform_submit: '1',
    });
    expect(site.posts()).toHaveLength(0);
  });

  it('never posts a captcha-protected form, and leaves a required consent box alone unless --tick-consent', async () => {
    // Act
    const [captcha, consent] = await Promise.all([submitTo(url('recaptcha-v2')), submitTo(url('plain-formspree'))]);
    const postsBefore = site.posts().length;
    const ticked = await submitTo(url('plain-formspree'), '--tick-consent');

    // Assess
    expect(JSON.parse(captcha.stdout)).toMatchObject({
      outcome: 'FALLBACK',
      reason: 'form_spam_protected',
      submitted: {},
    });
    expect(JSON.parse(consent.stdout)).toMatchObject({
      outcome: 'FALLBACK',
      reason: 'manual_task_created',
      manualTask: { reason: 'form_consent_required' },
    });
    expect(postsBefore).toBe(0);
    expect(JSON.parse(ticked.stdout)).toMatchObject({ outcome: 'SENT', submitted: { consent: 'yes', _gotcha: '' } });
    expect(site.posts().map((post) => `${post.host}${post.path}`)).toEqual(['formspree.io/f/mqkrvzab']);
  });

  it('refuses a loopback URL without --allow-private-network: one line on stderr, exit 1, no request', async () => {
    // Act
    const run = await cascade('form', 'submit', url('cf7-basic').replace('127.0.0.1', 'localhost'), ...CONTACT_ARGS);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^cascade: /);
    expect(site.requests).toHaveLength(0);
  });

  it('finds the contact page from the web site with --discover', async () => {
    // Act
    const run = await submitTo(`${site.url}/`, '--discover', '--dry-run');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ url: url('gravity-honeypot'), dryRun: true });
    expect(site.posts()).toHaveLength(0);
  });
});

describe('cascade form help and usage errors', () => {
  it('every verb has --help', async () => {
    // Act
    const runs = await Promise.all([
      cascade('form', '--help'),
      cascade('form', 'inspect', '--help'),
      cascade('form', 'submit', '--help'),
    ]);

    // Assess
    for (const run of runs) expect(run.code).toBe(0);
    expect(runs[0]?.stdout).toMatch(/inspect/);
    expect(runs[1]?.stdout).toMatch(/--allow-private-network/);
    expect(runs[2]?.stdout).toMatch(/--dry-run/);
  });

  it('a missing --message is a usage error', async () => {
    // Act
    const run = await cascade('form', 'submit', url('cf7-basic'), '--name', 'Ada', '--email', 'ada@analytical.example');

    // Assess
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--message/);
    expect(site.requests).toHaveLength(0);
  });
});
