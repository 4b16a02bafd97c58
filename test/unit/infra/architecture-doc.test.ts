import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mermaidFromDefinition, renderArchitectureDoc } from '#infra/architecture-doc';
import { extractStateMachine, synthesizeTemplate } from '#local/synth';

describe('docs/architecture.md', () => {
  it('matches the synthesized state machine (run `npm run docs` after changing it)', () => {
    // Prepare
    const definition = extractStateMachine(synthesizeTemplate()).definition;

    // Act
    const rendered = renderArchitectureDoc(definition);

    // Assess
    expect(readFileSync('docs/architecture.md', 'utf8')).toBe(rendered);
  });

  it('draws every state and every transition of the definition', () => {
    // Prepare
    const definition = extractStateMachine(synthesizeTemplate()).definition;

    // Act
    const diagram = mermaidFromDefinition(definition);

    // Assess
    for (const [name, state] of Object.entries(definition.States)) {
      expect(diagram).toContain(`"${name}"`);
      if (typeof state.Next === 'string')
        expect(diagram).toContain(
          `${name.replace(/[^A-Za-z0-9]/g, '')} --> ${state.Next.replace(/[^A-Za-z0-9]/g, '')}`,
        );
    }
  });
});
