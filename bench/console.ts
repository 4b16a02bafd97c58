/**
 * Bench section 8 (issue 17): the operator console's weight and first render. The bundle is built as `cascade serve`
 * builds it (console/build.ts) and gzipped file by file; the campaigns page is loaded in Debian's Chromium against
 * `cascade serve` with one campaign of 10,000 leads, timing in the page's own clock from navigation start to the
 * campaigns table showing that campaign's row with its funnel (median of the runs, each in a fresh page).
 */

import type { Page } from 'playwright-core';
import { startApiServer } from '#cli/serve';
import { storeLeads } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { launchChromium } from '#test/browser/support/browser';
import { buildConsole } from '../console/build';
import { argument, emitResult, median, progress, runWhenMain } from './harness';

export interface ConsoleSection {
  bundleGzipBytes: number;
  files: { name: string; bytes: number }[];
  leads: number;
  firstRenderMs: number;
  runsMs: number[];
}

const TOKEN = 'bench-console';

async function seedCampaign(url: string, leads: number): Promise<void> {
  const created = await fetch(`${url}/v1/campaigns`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      campaignId: 'bench-10k',
      name: 'Ten thousand',
      sender: { name: 'Ada', email: 'ada@cascade-demo.example' },
    }),
  });
  if (created.status !== 201) throw new Error(`campaign: ${created.status}`);
  const inputs = Array.from({ length: leads }, (_, index) =>
    LeadInput.parse({ firstName: `Lead${index}`, email: `lead${index}@bench-${index % 97}.example`, leadScore: 0.9 }),
  );
  await storeLeads({ campaignId: 'bench-10k' }, inputs, { concurrency: 32 });
}

/** The little of the page's DOM the wait reads. */
interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
}

/**
 * When the campaign's row appeared, in the page's own clock (ms since its navigation started), checked on every
 * animation frame: Playwright's locator polling backs off to 500 ms between checks, which measured its own
 * interval rather than the page's render.
 */
async function renderedAtMs(page: Page): Promise<number> {
  // A function, not a string: the console's CSP forbids eval. Typed by hand: this program has no DOM library.
  const handle = await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as PageGlobals;
      const rows = Array.from(document.querySelectorAll('tr'));
      return rows.some((row) => row.textContent?.includes('Ten thousand')) && performance.now();
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return Number(await handle.jsonValue());
}

export async function measureConsole(leads: number, runs: number): Promise<ConsoleSection> {
  const built = await buildConsole();
  const files = [...built.files].map(([name, file]) => ({ name, bytes: file.body.length }));
  const server = await startApiServer({ port: 0, token: TOKEN });
  const browser = await launchChromium();
  try {
    progress(`console: seeding ${leads} leads`);
    await seedCampaign(server.url, leads);
    const runsMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(server.newLoginLink());
      await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
      // One load of the page from nothing (the tab keeps its session): navigation to the row drawn with its funnel.
      await page.goto('about:blank');
      await page.goto(`${server.url}/console/#/campaigns`);
      runsMs.push(await renderedAtMs(page));
      await page.context().close();
    }
    return { bundleGzipBytes: built.gzipBytes, files, leads, firstRenderMs: median(runsMs), runsMs };
  } finally {
    await browser.close();
    await server.close();
  }
}

runWhenMain(import.meta.url, async () => {
  emitResult(argument('out'), await measureConsole(Number(argument('leads') ?? 10_000), Number(argument('runs') ?? 5)));
});
