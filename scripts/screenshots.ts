import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { startApiServer } from '#cli/serve';
import { launchChromium } from '#test/browser/support/browser';
import { seedDemoData } from './console-demo-data';

/**
 * `npm run screenshots`: the console against `cascade serve` with the demo's data, one PNG per page in
 * docs/console/ (what the README shows). Run it after changing the console.
 */
const OUT = path.resolve('docs/console');
const TOKEN = 'screenshots';

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = await startApiServer({ port: 0, token: TOKEN });
  const browser = await launchChromium();
  try {
    const data = await seedDemoData(server, TOKEN);
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await page.goto(server.newLoginLink());
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    const listed = await fetch(`${server.url}/v1/campaigns/${data.campaignId}/leads?status=CONTACTED&limit=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const lead = ((await listed.json()) as { items: { leadId: string }[] }).items[0];
    const shots: [string, string][] = [
      ['campaigns', '/campaigns'],
      ['campaign', `/campaigns/${data.campaignId}`],
      ['lead', `/leads/${lead?.leadId ?? data.parkedLeadId}`],
      ['parked-lead', `/leads/${data.parkedLeadId}`],
      ['tasks', '/tasks'],
      ['parked', '/parked'],
      ['senders', '/senders'],
      ['webhooks', '/webhooks'],
    ];
    for (const [name, hash] of shots) {
      await page.goto(`${server.url}/console/#${hash}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      // Sections fill in as their data arrives (polling never lets the network idle): wait until none is loading.
      // (A string: it runs in the page, whose DOM this Node program's types do not know.)
      await page.waitForFunction('!/Loading/.test(document.body.innerText)', undefined, { timeout: 30_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
      process.stdout.write(`wrote docs/console/${name}.png\n`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  process.stderr.write(`screenshots: ${(error as Error).message}\n`);
  process.exit(1);
});
