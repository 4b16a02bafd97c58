import { HttpProblem } from '#shared/errors';
import { getLead } from '#shared/store/leads';

/** The lead a simulation is about, or a 404 the CLI prints in one line. */
export async function requireLead(leadId: string) {
  const lead = await getLead(leadId);
  if (!lead) throw new HttpProblem(404, 'not_found', `lead ${leadId} does not exist`);
  return lead;
}
