import { describe, expect, it } from 'vitest';
import { table } from '#cli/output';

describe('CLI tables', () => {
  it('never write control characters from lead data raw (no terminal escape injection)', () => {
    // Prepare
    const name = 'Ada\u001b[2J\u001b]0;owned\u0007\r\nBob\u009b31m';

    // Act
    const lines = table(['name', 'score'], [[name, 7]]);

    // Assess
    expect(lines).toHaveLength(2);
    const controls = [...lines.join('\n')].filter((char) => char !== '\n' && /\p{Cc}/u.test(char));
    expect(controls).toEqual([]);
    expect(lines[1]).toContain('Ada\\u001b[2J\\u001b]0;owned\\u0007\\u000d\\u000aBob\\u009b31m');
  });

  it('keeps plain text, numbers and empty cells as before', () => {
    // Act
    const lines = table(
      ['name', 'score'],
      [
        ['José', 12],
        [undefined, 3],
      ],
    );

    // Assess
    expect(lines).toEqual(['name  score', 'José     12', '-         3']);
  });
});
