import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildConsole, CONSOLE_CONTENT_SECURITY_POLICY, consoleContentSecurityPolicy } from '../../../console/build';

describe('buildConsole', () => {
  it('builds index.html, app.js and app.css within the 250 KB gzip budget', async () => {
    // Act
    const built = await buildConsole();

    // Assess
    expect([...built.files.keys()].sort()).toEqual(['app.css', 'app.js', 'index.html']);
    const html = built.files.get('index.html')?.body.toString() ?? '';
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('<div id="app">');
    expect(html).toContain('<script type="module" src="./app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="./app.css">');
    expect(built.files.get('app.js')?.contentType).toMatch(/^text\/javascript/);
    expect(built.files.get('app.css')?.body.toString()).toContain('.uplot'); // uPlot's own rules bundled
    const sum = [...built.files.values()].reduce((total, file) => total + gzipSync(file.body, { level: 9 }).length, 0);
    expect(built.gzipBytes).toBe(sum);
    expect(built.gzipBytes).toBeLessThanOrEqual(250 * 1024);
    expect(gunzipSync(gzipSync(built.files.get('app.js')?.body ?? Buffer.alloc(0))).length).toBeGreaterThan(10_000);
  }, 60_000);

  it('ships a policy with no inline script or style, opening connect-src only to the origins named', () => {
    // Act
    const deployed = consoleContentSecurityPolicy({
      apiOrigin: 'https://api.example.test',
      authOrigin: 'https://login.example.test',
    });

    // Assess
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(deployed).toContain("connect-src 'self' https://api.example.test https://login.example.test;");
    expect(deployed).toContain("frame-ancestors 'none'");
  });
});
