// axe-core in a Playwright page: its serious and critical findings, for the browser tests' accessibility checks.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO_ROOT } from "./servers.ts";

const AXE = join(REPO_ROOT, "node_modules", "axe-core", "axe.min.js");

interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}


/** axe-core's serious and critical findings in `within` as it is now, by every rule or by `only` these (axe is injected once per page). */
export async function axeFindings(page: Page, within = "html", only?: string[]): Promise<string[]> {
  // Evaluated rather than added as a <script>: the page's Content-Security-Policy refuses inline scripts, rightly.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(await Bun.file(AXE).text());
  const violations = await page.evaluate(
    async ([selector, rules]) => {
      const axe = (window as unknown as { axe: { run: (context: Element, options: object) => Promise<{ violations: AxeFinding[] }> } }).axe;
      return (await axe.run(document.querySelector(selector)!, { resultTypes: ["violations"], ...(rules ? { runOnly: rules } : {}) })).violations;
    },
    [within, only] as const,
  );
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}): ${n.target.join(" ")} — ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`));
}

