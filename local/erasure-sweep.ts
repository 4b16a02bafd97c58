import { getLead } from '#shared/store/leads';
import type { LocalDynamo } from './dynamodb';
import type { SesSimulator } from './ses-simulator';
import type { LocalStepFunctions } from './stepfunctions/executions';

/**
 * What the embedded stack's peers keep of a lead beyond DynamoDB's items, forgotten once its erasure has
 * completed (the DynamoDB twin calls `sweep` before it answers the erasure's last write): the executions'
 * inputs, outputs and history, the SES journal's lines naming the address, and the old values LevelDB still
 * holds in its files (compacted away). AWS keeps its own copies: see the README on erasure.
 */
export class ErasureSweep {
  peers?: { dynamo: LocalDynamo; stepFunctions: LocalStepFunctions; sesSimulator: SesSimulator };

  async sweep(leadId: string): Promise<void> {
    if (!this.peers) return;
    const { dynamo, stepFunctions, sesSimulator } = this.peers;
    stepFunctions.eraseLead(leadId);
    const erasureKey = ((await getLead(leadId)) as { erasureKey?: string } | undefined)?.erasureKey;
    if (erasureKey) sesSimulator.eraseRecipient(erasureKey);
    await dynamo.compact();
  }
}
