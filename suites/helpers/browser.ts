import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../../chains/tools.ts";

/** Where browser tests keep their screenshots (inside reports/, which git ignores). */
export const ARTIFACTS = fileURLToPath(new URL("../../reports/test-artifacts/", import.meta.url));

export interface RenderedChart {
  id: string;
  width: number;
  height: number;
  /** Data marks drawn (paths and lines of the chart's own marks; axes, grid and legends left out). */
  marks: number;
}

export interface PageCheck {
  consoleErrors: string[];
  /** Requests other than the report file itself (a self-contained report makes none). */
  requests: string[];
  charts: RenderedChart[];
  /** The page's visible text. */
  text: string;
  screenshot: string;
}

/**
 * Opens an HTML report in real headless Chromium (started here, closed on every path),
 * collects console errors and requests, measures every chart's SVG as laid out, and
 * keeps a full-page screenshot in reports/test-artifacts/<name>.png.
 */
export async function openReport(htmlPath: string, name: string): Promise<PageCheck> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "npm run setup" (npm test runs it), which installs Debian's chromium package`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps trying to reach Google's hosts.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(htmlPath).href;
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (err) => consoleErrors.push(String(err)));
    page.on("request", (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: "load" });
    const charts = await page.$$eval("figure.chart", (figures) =>
      figures.map((f) => {
        const svg = f.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        // Vega classes the groups of data marks `role-mark`; axes and legends have roles of their own.
        const marks = svg ? svg.querySelectorAll("g.role-mark path, g.role-mark line").length : 0;
        return { id: f.getAttribute("data-chart") ?? "", width: box?.width ?? 0, height: box?.height ?? 0, marks };
      }),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    // biome-ignore lint/performance/useDomNodeTextContent: the text a reader sees, as laid out (hidden parts left out)
    const text = await page.innerText("body");
    return { consoleErrors, requests, charts, text, screenshot };
  } finally {
    await browser.close();
  }
}
