/**
 * A real browser for the UI suites (test/e2e/ui-*.test.ts): Debian's
 * Chromium (test/peers/chromium.sh) driven by playwright-core through
 * `executablePath`, so nothing downloads a browser build.
 *
 * - launchBrowser(): one headless Chromium per suite (a start costs ~1 s);
 *   openPage() gives each test a fresh context (own cookies, storage, cache),
 *   so tests never see each other's sessions.
 * - Every page collects console errors, uncaught exceptions, failed requests
 *   and HTTP error answers; `ui.assertClean()` (called by `ui.close()`)
 *   fails the test on any of them except the statuses the test allowed
 *   (401 by default: signed-out pages probe the session and get 401).
 * - checkA11y() runs axe-core inside the page and fails on serious or
 *   critical violations, listing rule, impact, help and the offending nodes.
 * - screenshot() saves PNGs under test-results/screenshots/ (not committed).
 * - measure() reads the page's own Performance entries (paint, navigation).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_PASSWORD } from './berth.ts';
import { findPeer, inCI } from './peers.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const SCREENSHOTS_DIR = path.join(RESULTS_DIR, 'screenshots');
const WEB_INDEX = path.join(ROOT, 'web', 'dist', 'index.html');

/**
 * Flags as the machine notes prescribe: the closed network refuses Chromium's
 * background connections (updates, sync, QUIC probes), and root needs
 * --no-sandbox. playwright-core adds --headless and a fresh --user-data-dir.
 */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Default wait for an element or a navigation; CI machines have 2 busy cores. */
export const UI_TIMEOUT_MS = 20_000;

/** BERTH_PEER_CHROMIUM (from build-all.sh), else test/peers/chromium.sh. */
export function chromiumPath(): string | Error {
  const fromEnv = process.env.BERTH_PEER_CHROMIUM;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    const err = new Error(`BERTH_PEER_CHROMIUM=${fromEnv} does not exist`);
    if (inCI) throw err;
    return err;
  }
  return findPeer('chromium');
}

/**
 * For node:test `skip`: false when Chromium and the built UI are there, else
 * why not. In CI a missing one throws (nothing skips in CI).
 */
export function skipUnlessBrowser(): false | string {
  const exe = chromiumPath();
  if (exe instanceof Error) return exe.message;
  if (!existsSync(WEB_INDEX)) {
    const why = `the UI is not built (${path.relative(ROOT, WEB_INDEX)} is missing): run \`node scripts/build-web.ts\` (npm test does)`;
    if (inCI) throw new Error(why);
    return why;
  }
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  const exe = chromiumPath();
  if (exe instanceof Error) throw exe;
  return chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface UiPage {
  page: Page;
  context: BrowserContext;
  base: string;
  /** Problems seen so far (console errors, page errors, failed requests, error statuses). */
  problems: string[];
  /** Allows HTTP answers with `status` (optionally only for URLs matching `url`) for the rest of the test. */
  allow(status: number, url?: RegExp): void;
  /** Fails when any problem was seen; clears the list. */
  assertClean(): void;
  /** assertClean(), then closes the context. */
  close(): Promise<void>;
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** Statuses that are not problems (default [401]). */
  allowStatuses?: number[];
}

/** A fresh context and page on `base` (the Berth URL). */
export async function openPage(browser: Browser, base: string, options: PageOptions = {}): Promise<UiPage> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    // The UI honours prefers-reduced-motion (theme.ts): no transition is caught half-way by axe-core's contrast check.
    reducedMotion: 'reduce',
    // The pull command's copy button writes to the clipboard.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  const origin = new URL(base).origin;
  const problems: string[] = [];
  const allowed: { status: number; url?: RegExp }[] = (options.allowStatuses ?? [401]).map((status) => ({ status }));
  const isAllowed = (status: number, url: string) => allowed.some((a) => a.status === status && (!a.url || a.url.test(url)));

  // Only Berth's own pages and requests count: the test identity provider's
  // sign-in pages (another origin) load web fonts this closed network refuses.
  const ours = (url: string) => {
    try {
      return new URL(url).origin === origin;
    } catch {
      return false;
    }
  };
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || !ours(page.url())) return;
    const text = msg.text();
    // Chromium logs every 4xx/5xx answer as a console error too; those are
    // judged by status in the 'response' handler below, with their URL.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
    problems.push(`console error: ${text}${msg.location().url ? ` (${msg.location().url})` : ''}`);
  });
  page.on('pageerror', (err) => {
    if (ours(page.url())) problems.push(`uncaught exception: ${err.stack ?? err.message}`);
  });
  page.on('requestfailed', (req) => {
    if (!ours(req.url()) && !ours(req.frame().url())) return;
    const failure = req.failure()?.errorText ?? 'failed';
    // A request cancelled by the page (navigation, an aborted fetch, the event
    // stream closed on sign-out) is not a failure of the server.
    if (failure === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${failure}`);
  });
  page.on('response', (res) => {
    if (!ours(res.url()) && !ours(res.frame().url())) return;
    const status = res.status();
    if (status < 400 || isAllowed(status, res.url())) return;
    problems.push(`HTTP ${status}: ${res.request().method()} ${res.url()}`);
  });

  const ui: UiPage = {
    page,
    context,
    base,
    problems,
    allow(status, url) {
      allowed.push({ status, ...(url ? { url } : {}) });
    },
    assertClean() {
      const seen = problems.splice(0);
      assert.deepEqual(seen, [], `the page reported problems:\n  ${seen.join('\n  ')}`);
    },
    async close() {
      try {
        ui.assertClean();
      } finally {
        await context.close();
      }
    },
  };
  return ui;
}

// ---------------------------------------------------------------------------
// Accessibility

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (WCAG 2.x A and AA rules plus best practices) on the page as
 * it is now and fails on serious or critical violations. Minor and moderate
 * ones are returned, for the caller to log if it wants.
 */
export async function checkA11y(page: Page, name: string): Promise<AxeViolation[]> {
  // Judged at rest: the pointer off the control the test just clicked (a hover
  // background is a different, transient colour pair).
  await page.mouse.move(0, 0);
  // Let opening dialogs and toasts finish their transitions: mid-fade colours
  // are blends with the overlay and would be judged as low contrast.
  await page.evaluate(async () => {
    type Animation = { finished: Promise<unknown>; effect: { getComputedTiming(): { endTime?: number | string } } | null };
    const doc = (globalThis as unknown as { document: { getAnimations(): Animation[] } }).document;
    // Spinners run forever: only finite transitions are waited for (at most 2 s).
    const finite = doc.getAnimations().filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)));
    await Promise.race([Promise.all(finite.map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 2000))]);
  });
  axeSource ??= await readFile(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol rather than added as a <script>
  // element (page.addScriptTag): Berth's strict Content-Security-Policy
  // refuses inline scripts, and bypassCSP would hide the policy's own
  // violations from these suites.
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations;
  }) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const text = bad
      .map((v) => `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.slice(0, 5).map((n) => `    ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`).join('\n')}${v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : ''}`)
      .join('\n');
    await screenshot(page, `a11y-failure-${name}`).catch(() => undefined);
    assert.fail(`accessibility: ${bad.length} serious/critical axe-core violation(s) on "${name}" (${page.url()}):\n${text}`);
  }
  return violations.filter((v) => !bad.includes(v));
}

// ---------------------------------------------------------------------------
// Screenshots and timings

/** Saves a PNG of the viewport (or the full page) as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`bad screenshot name ${JSON.stringify(name)}`);
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled' });
  return file;
}

export interface PageTimings {
  /** First contentful paint, ms after navigation start (undefined when nothing was painted yet). */
  firstContentfulPaintMs: number | undefined;
  /** Response of the HTML document complete. */
  responseEndMs: number;
  domContentLoadedMs: number;
  loadEventMs: number;
  /** Bytes transferred for the document and every resource (compressed sizes). */
  transferBytes: number;
  resources: number;
}

/**
 * Timings of the current document from the browser's Performance API, in ms
 * from navigation start. Waits (at most 5 s) for the first contentful paint,
 * which is reported a frame after the content appeared.
 */
export async function measure(page: Page): Promise<PageTimings> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        type List = { getEntries(): { name: string }[] };
        const g = globalThis as unknown as { PerformanceObserver: new (cb: (list: List) => void) => { observe(o: object): void; disconnect(): void } };
        const observer = new g.PerformanceObserver((list) => {
          if (!list.getEntries().some((e) => e.name === 'first-contentful-paint')) return;
          observer.disconnect();
          resolve();
        });
        observer.observe({ type: 'paint', buffered: true });
        setTimeout(resolve, 5000);
      }),
  );
  return page.evaluate(() => {
    // The project's TypeScript has no DOM library: the entries' fields used here.
    interface Entry { name: string; startTime: number; transferSize: number; responseEnd: number; domContentLoadedEventEnd: number; loadEventEnd: number }
    const entries = (type: string) => (performance as unknown as { getEntriesByType(t: string): Entry[] }).getEntriesByType(type);
    const nav = entries('navigation')[0];
    const fcp = entries('paint').find((e) => e.name === 'first-contentful-paint');
    const resources = entries('resource');
    const round = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);
    return {
      firstContentfulPaintMs: round(fcp?.startTime),
      responseEndMs: round(nav?.responseEnd) ?? 0,
      domContentLoadedMs: round(nav?.domContentLoadedEventEnd) ?? 0,
      loadEventMs: round(nav?.loadEventEnd) ?? 0,
      transferBytes: (nav?.transferSize ?? 0) + resources.reduce((sum, r) => sum + r.transferSize, 0),
      resources: resources.length,
    };
  });
}

/** ms since the current document's navigation started (the page's clock). */
export async function sinceNavigationStart(page: Page): Promise<number> {
  return Math.round((await page.evaluate(() => performance.now())) * 10) / 10;
}

// ---------------------------------------------------------------------------
// Signing in

/**
 * Signs in through the sign-in page with a local account and waits until the
 * app left /login. `next` is where to start (a protected path: the app sends
 * the visitor to /login and back).
 */
export async function signIn(ui: UiPage, options: { username?: string; password?: string; next?: string } = {}): Promise<void> {
  const { page } = ui;
  await page.goto(options.next ?? '/login');
  await page.getByLabel('User name').fill(options.username ?? 'admin');
  await page.getByLabel(/^Password/).fill(options.password ?? ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}
