import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalExecution } from './executions';

/** An execution as it is kept on disk: everything but the promise of its end. */
export type StoredExecution = Omit<LocalExecution, 'done'>;

/**
 * Executions kept as one JSON file each (`<name>.json`), so `cascade audit` can read them after the run
 * and a restarted `cascade serve --data DIR` finds the ones it left running.
 */
export class ExecutionStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  loadAll(): StoredExecution[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(path.join(this.dir, file), 'utf8')) as StoredExecution);
  }

  save(execution: LocalExecution): void {
    const { done: _done, ...stored } = execution;
    writeFileSync(path.join(this.dir, `${execution.name}.json`), JSON.stringify(stored));
  }
}
