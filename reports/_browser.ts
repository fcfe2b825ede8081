/**
 * Test and benchmark helper (not a renderer): opens a report in Debian's Chromium through
 * playwright-core, recording console errors and every network request. Never downloads a browser.
 * @module
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.QUEUELAB_CHROMIUM ?? "/usr/bin/chromium";

/** Launches headless Chromium, or returns the reason it cannot. */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  } catch (error) {
    return `Chromium at ${CHROMIUM} did not start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** URLs requested other than the page's own file. */
  requests: string[];
}

/** Opens a file:// URL and waits until the page script has drawn its charts. */
export async function openReport(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => "queuelabReady" in window, undefined, { timeout: 15_000 });
  return { page, errors, requests };
}
