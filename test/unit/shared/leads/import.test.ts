import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gradeLead } from '#shared/grading/grade';
import { parseLeadCsv } from '#shared/leads/csv';
import { importLeadCsv, LeadInput, normalizeLeadRecord, validateLeadRows } from '#shared/leads/import';

const SAMPLE = readFileSync(fileURLToPath(new URL('../../../../examples/leads.csv', import.meta.url)), 'utf8');

describe('lead import of examples/leads.csv', () => {
  it('parses 60 data rows with snake_case headers and no structural errors', () => {
    // Prepare: the sample file
    // Act
    const { rows, errors } = parseLeadCsv(SAMPLE);
    // Assess
    expect(rows).toHaveLength(60);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({ first_name: 'Hiro', lead_score: '0.6', pain_points: '', scenario: 'email_ok' });
  });

  it('accepts 57 rows and rejects the duplicate email, the missing name and the 1.7 score with field-level reasons', () => {
    // Prepare
    const { rows } = parseLeadCsv(SAMPLE);
    // Act
    const { accepted, rejected } = validateLeadRows(rows);
    // Assess
    expect(accepted).toHaveLength(57);
    expect(rejected).toEqual([
      { row: 53, errors: [{ field: 'email', message: 'duplicate of row 1' }], reasons: ['email: duplicate of row 1'] },
      { row: 54, errors: [{ field: 'firstName', message: 'is required' }], reasons: ['firstName: is required'] },
      {
        row: 55,
        errors: [{ field: 'leadScore', message: 'must be between 0 and 1' }],
        reasons: ['leadScore: must be between 0 and 1'],
      },
    ]);
    expect(rejected.map((r) => rows[r.row - 1]?.scenario)).toEqual(['dup_email', 'missing_name', 'bad_score']);
  });

  it('maps cells to typed fields: lists split on ";", empty cells absent, timeline 0 absent', () => {
    // Prepare
    const { rows } = parseLeadCsv(SAMPLE);
    // Act
    const { accepted } = validateLeadRows(rows);
    // Assess
    const zoe = accepted.find((l) => l.email === 'zoe.kowalski@wayne-biotech.example');
    expect(zoe).toMatchObject({
      firstName: 'Zoë',
      painPoints: ['slow lead follow-up', 'manual outreach'],
      tags: ['pricing-page', 'demo-request', 'newsletter'],
      timelineMonths: 3,
      leadScore: 0.7,
      employeeCount: 12,
      linkedinStatus: 'NOT_CONNECTED',
    });
    expect(zoe?.budgetRange).toBeUndefined();
    const sven = accepted.find((l) => l.email === 'sven.nguyen@wayne-biotech.example');
    expect(sven?.timelineMonths).toBeUndefined();
    expect(sven?.painPoints).toEqual([]);
    const wei = accepted.find((l) => l.firstName === 'Wei' && l.lastName === 'Smith');
    expect(wei?.email).toBeUndefined();
    expect(wei?.linkedinStatus).toBe('CONNECTED');
    expect(accepted.find((l) => l.email === 'not-an-email')).toBeDefined();
  });

  it('grades exactly the four grade_d rows as D', () => {
    // Prepare
    const { accepted } = validateLeadRows(parseLeadCsv(SAMPLE).rows);
    // Act
    const graded = accepted.map((lead) => ({ lead, result: gradeLead(lead) }));
    // Assess
    const gradeD = graded.filter((g) => g.result.grade === 'D');
    expect(gradeD).toHaveLength(4);
    expect(gradeD.every((g) => g.lead.scenario === 'grade_d')).toBe(true);
  });
});

describe('validateLeadRows', () => {
  it('rejects a duplicate email case-insensitively, keeping the first accepted row', () => {
    // Prepare
    const records = [
      { firstName: '', email: 'ann@acme.example' },
      { firstName: 'Ann', email: 'Ann@Acme.example' },
      { firstName: 'Anne', email: 'ANN@acme.example' },
    ];
    // Act
    const { accepted, acceptedRows, rejected } = validateLeadRows(records);
    // Assess
    expect(accepted.map((l) => l.firstName)).toEqual(['Ann']);
    expect(acceptedRows).toEqual([2]);
    expect(rejected).toEqual([
      { row: 1, errors: [{ field: 'firstName', message: 'is required' }], reasons: ['firstName: is required'] },
      { row: 3, errors: [{ field: 'email', message: 'duplicate of row 2' }], reasons: ['email: duplicate of row 2'] },
    ]);
  });

  it('rejects an email already in the campaign', () => {
    // Prepare
    const existingEmails = new Set(['Bob@Acme.example']);
    // Act
    const { accepted, rejected } = validateLeadRows([{ firstName: 'Bob', email: 'bob@acme.example' }], {
      existingEmails,
    });
    // Assess
    expect(accepted).toEqual([]);
    expect(rejected[0]?.errors).toEqual([{ field: 'email', message: 'already imported in this campaign' }]);
  });

  it('reports every bad field of a row', () => {
    // Prepare
    const record = {
      first_name: 'Cy',
      lead_score: 'high',
      linkedin_status: 'FRIENDS',
      timeline_months: '-2',
      employee_count: '1.5',
    };
    // Act
    const { rejected } = validateLeadRows([record]);
    // Assess
    expect(rejected[0]?.errors).toEqual([
      { field: 'linkedinStatus', message: 'must be one of NOT_CONNECTED, CONNECTION_REQUESTED, CONNECTED, BLOCKED' },
      { field: 'leadScore', message: 'must be a number between 0 and 1' },
      { field: 'timelineMonths', message: 'must not be negative' },
      { field: 'employeeCount', message: 'must be a whole number' },
    ]);
  });

  it('accepts JSON objects with camelCase keys and arrays', () => {
    // Prepare
    const record = {
      firstName: 'Dee',
      email: 'dee@acme.example',
      leadScore: 0.8,
      painPoints: ['slow follow-up'],
      tags: ['webinar'],
      linkedinStatus: 'connected',
      phone: 5551234,
    };
    // Act
    const parsed = LeadInput.parse(normalizeLeadRecord(record));
    // Assess
    expect(parsed).toMatchObject({
      firstName: 'Dee',
      leadScore: 0.8,
      painPoints: ['slow follow-up'],
      tags: ['webinar'],
      linkedinStatus: 'CONNECTED',
      phone: '5551234',
    });
  });
});

describe('normalizeLeadRecord', () => {
  it('maps snake_case, spaced and camelCase headers to camelCase keys', () => {
    // Prepare
    const record = { first_name: 'A', 'Last Name': 'B', linkedinConnectionStatus: 'BLOCKED', contact_form_url: 'u' };
    // Act
    const normalized = normalizeLeadRecord(record);
    // Assess
    expect(normalized).toEqual({ firstName: 'A', lastName: 'B', linkedinStatus: 'BLOCKED', contactFormUrl: 'u' });
  });
});

describe('parseLeadCsv / importLeadCsv', () => {
  it('strips a BOM and trims cells', () => {
    // Prepare
    const text = '\uFEFFfirst_name,email,lead_score\n  Eve , eve@acme.example ,0.5\n';
    // Act
    const { rows } = parseLeadCsv(text);
    // Assess
    expect(rows).toEqual([{ first_name: 'Eve', email: 'eve@acme.example', lead_score: '0.5' }]);
  });

  it('rejects a row with more cells than the header and keeps the others', () => {
    // Prepare
    const text = 'first_name,email\nFay,fay@acme.example,extra\nGus,gus@acme.example\n';
    // Act
    const { accepted, rejected } = importLeadCsv(text);
    // Assess
    expect(accepted.map((l) => l.firstName)).toEqual(['Gus']);
    expect(rejected).toEqual([
      {
        row: 1,
        errors: [{ field: 'row', message: 'has 3 cells but the header has 2 columns' }],
        reasons: ['row: has 3 cells but the header has 2 columns'],
      },
    ]);
  });

  it('reports unreadable CSV as an error instead of throwing', () => {
    // Prepare
    const text = 'first_name,email\n"Hal,hal@acme.example\n';
    // Act
    const { rows, errors } = parseLeadCsv(text);
    // Assess
    expect(rows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^unreadable CSV: /);
  });
});

describe('control characters in lead fields (they can reach a subject through a template)', () => {
  it('rejects a CSV row whose quoted cell holds a line break, naming the field, and keeps the valid rows', () => {
    // Prepare: CRLF line endings, a quoted company with an embedded CR/LF, and a quoted comma that is fine.
    const text = [
      'first_name,last_name,email,company',
      'Ivy,Núñez,ivy@acme.example,"Acme, Inc."',
      'Jon,Doe,jon@acme.example,"Acme\r\nBcc: all@acme.example"',
      'José,Ñandú,jose@acme.example,Acme GmbH',
    ].join('\r\n');
    // Act
    const { accepted, acceptedRows, rejected } = importLeadCsv(text);
    // Assess
    expect(accepted.map((l) => [l.firstName, l.company])).toEqual([
      ['Ivy', 'Acme, Inc.'],
      ['José', 'Acme GmbH'],
    ]);
    expect(acceptedRows).toEqual([1, 3]);
    expect(rejected).toEqual([
      {
        row: 2,
        errors: [{ field: 'company', message: 'must be a single line without control characters' }],
        reasons: ['company: must be a single line without control characters'],
      },
    ]);
  });

  it('rejects JSON leads with control characters per row and field, keeping valid ones', () => {
    // Prepare
    const records = [
      { firstName: 'Ada\nBcc: all@x.example', email: 'ada@x.example' },
      { firstName: 'Bo', title: 'CEO\u0000', tags: ['ok', 'bad\u001b[31m'] },
      { firstName: 'Cy', lastName: 'Ünal', company: 'Zürich AG', tags: ['webinar'] },
    ];
    // Act
    const { accepted, rejected } = validateLeadRows(records);
    // Assess
    expect(accepted.map((l) => l.firstName)).toEqual(['Cy']);
    expect(rejected.map((r) => [r.row, r.errors.map((e) => e.field)])).toEqual([
      [1, ['firstName']],
      [2, ['title', 'tags.1']],
    ]);
  });

  it('reads a line break inside a list cell as a separator, like ";"', () => {
    // Prepare: one pain point per line in a spreadsheet cell.
    const text = 'first_name,pain_points\nKim,"slow follow-up\r\nmanual outreach; no CRM"\n';
    // Act
    const { accepted, rejected } = importLeadCsv(text);
    // Assess
    expect(rejected).toEqual([]);
    expect(accepted[0]?.painPoints).toEqual(['slow follow-up', 'manual outreach', 'no CRM']);
  });
});

describe('CSV headers as spreadsheets write them', () => {
  it('matches headers in any case and separator, and common names', () => {
    // Prepare
    const csv =
      'First Name,Last Name,E-mail,Company Name,Website,Lead Score,Shoe Size\nAda,Lovelace,ada@x.example,Acme,acme.example,0.7,42\n';

    // Act
    const result = importLeadCsv(csv);

    // Assess
    expect(result.rejected).toEqual([]);
    expect(result.accepted[0]).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@x.example',
      company: 'Acme',
      website: 'acme.example',
      leadScore: 0.7,
    });
    expect(result.unknownColumns).toEqual(['Shoe Size']);
  });

  it('reads FIRST_NAME,EMAIL and keeps the first non-blank of repeated columns', () => {
    // Act
    const upper = importLeadCsv('FIRST_NAME,EMAIL\nBob,bob@x.example\n');
    const repeated = importLeadCsv('first_name,email,email\nCy,,cy@x.example\nDi,di@x.example,other@x.example\n');

    // Assess
    expect(upper.accepted[0]).toMatchObject({ firstName: 'Bob', email: 'bob@x.example' });
    expect(repeated.accepted.map((lead) => lead.email)).toEqual(['cy@x.example', 'di@x.example']);
  });

  it('rejects a row with a number DynamoDB cannot hold or a prototype key', () => {
    // Act
    const result = validateLeadRows([
      { firstName: 'A', leadScore: 1e-300 },
      { firstName: 'B', constructor: 'x' },
    ]);

    // Assess
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((row) => row.errors[0]?.field)).toEqual(['leadScore', 'constructor']);
  });
});
