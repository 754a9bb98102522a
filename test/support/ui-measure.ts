/**
 * The UI's timings with real amounts, shared by test/e2e/ui-performance.test.ts
 * and `npm run bench:ui`. A signed-in context (its session cookie is made
 * before the clock starts), then, each from a fresh navigation:
 *
 * - spaFirstContentfulPaintMs: the artifacts page's first contentful paint;
 * - artifactsFirstPageMs: navigation start → the first row of the table;
 * - artifactsPage2Ms: click on "Page 2" → its first row replaces page 1's;
 * - applicationsListMs: navigation start → the applications table's rows;
 * - applicationsPage2Ms: click on "Page 2" → its first row shown.
 *
 * Navigation timings come from the page's own clock (performance.now() at the
 * moment the element was seen; Playwright polls every animation frame); clicks
 * are timed around the click.
 */
import type { Browser, Locator } from 'playwright-core';
import { measure, openPage, screenshot, signIn, sinceNavigationStart, type PageTimings } from './browser.ts';

export interface UiFigures {
  timings: {
    spaFirstContentfulPaintMs: number;
    artifactsFirstPageMs: number;
    artifactsPage2Ms: number;
    applicationsListMs: number;
    applicationsPage2Ms: number;
  };
  /** The artifacts page's document timings and transferred bytes. */
  artifactsPage: PageTimings;
  applicationsPage: PageTimings;
}

export interface MeasureOptions {
  username: string;
  password: string;
  repository: { project: string; name: string };
  artifacts: number;
  applications: number;
  /** Suffix of screenshot names (e.g. the database). */
  shotSuffix?: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** ms from `start()` until the first row's link text differs from `before`. */
async function timeToNewFirstRow(table: Locator, before: string, start: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await start();
  const first = table.locator('tbody tr').first().getByRole('link').first();
  for (;;) {
    const text = await first.textContent({ timeout: 30_000 }).catch(() => null);
    if (text && text !== before) return round(performance.now() - t0);
    if (performance.now() - t0 > 30_000) throw new Error(`page 2 did not replace page 1 (first row still ${before})`);
    await table.page().waitForTimeout(10);
  }
}

export async function measureUi(browser: Browser, base: string, o: MeasureOptions): Promise<UiFigures> {
  const ui = await openPage(browser, base);
  const { page } = ui;
  try {
    await signIn(ui, { username: o.username, password: o.password });
    const suffix = o.shotSuffix ? `-${o.shotSuffix}` : '';

    // Artifacts: a fresh document load of the repository's page.
    await page.goto(`/projects/${o.repository.project}/repositories/${o.repository.name}`);
    const artifacts = page.getByRole('table', { name: `Artifacts of ${o.repository.project}/${o.repository.name}` });
    const firstArtifact = artifacts.locator('tbody tr').first().getByRole('link').first();
    await firstArtifact.waitFor({ timeout: 30_000 });
    const artifactsFirstPageMs = await sinceNavigationStart(page);
    const artifactsPage = await measure(page);
    await screenshot(page, `artifacts-${o.artifacts}${suffix}`);
    const page1Artifact = (await firstArtifact.textContent()) ?? '';
    const artifactsPage2Ms = await timeToNewFirstRow(artifacts, page1Artifact, () => page.getByRole('button', { name: 'Page 2', exact: true }).click());

    // Applications: a fresh document load of the list.
    await page.goto('/applications');
    const apps = page.getByRole('table', { name: `${o.applications} applications` });
    const firstApp = apps.locator('tbody tr').first().getByRole('link').first();
    await firstApp.waitFor({ timeout: 30_000 });
    const applicationsListMs = await sinceNavigationStart(page);
    const applicationsPage = await measure(page);
    await screenshot(page, `applications-${o.applications}${suffix}`);
    const page1App = (await firstApp.textContent()) ?? '';
    const applicationsPage2Ms = await timeToNewFirstRow(apps, page1App, () => page.getByRole('navigation', { name: 'Applications pages' }).getByRole('button', { name: 'Page 2', exact: true }).click());

    ui.assertClean();
    return {
      timings: {
        spaFirstContentfulPaintMs: artifactsPage.firstContentfulPaintMs ?? Number.NaN,
        artifactsFirstPageMs,
        artifactsPage2Ms,
        applicationsListMs,
        applicationsPage2Ms,
      },
      artifactsPage,
      applicationsPage,
    };
  } finally {
    await ui.context.close();
  }
}
