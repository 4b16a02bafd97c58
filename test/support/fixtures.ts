import { type Campaign, DEFAULT_SEQUENCE, type Lead } from '#shared/domain/schemas';

const CREATED = '2026-11-24T08:00:00.000Z';

/** An active campaign with the default sequence; tests override what they exercise. */
export function testCampaign(campaignId: string, overrides: Partial<Campaign> = {}): Campaign {
  return {
    campaignId,
    name: campaignId,
    sender: { name: 'Ada', email: 'ada@cascade-demo.example' },
    templates: {},
    sequence: DEFAULT_SEQUENCE,
    minGrade: 'C',
    state: 'ACTIVE',
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

/** A graded lead (A) with no contact points unless given. */
export function testLead(fields: Partial<Lead> & Pick<Lead, 'leadId' | 'campaignId'>): Lead {
  return {
    firstName: 'Pat',
    leadScore: 0.9,
    painPoints: [],
    tags: [],
    status: 'NEW',
    grade: 'A',
    gradeReasons: [],
    conversionProbability: 0.63,
    linkedinConnectionStatus: 'NOT_CONNECTED',
    createdAt: CREATED,
    updatedAt: CREATED,
    ...fields,
  };
}
