/**
 * The HTML sections for what live and broker runs measured beyond latency: delivery counts (cells
 * that break the rule flagged by class and by a ✗, never by colour alone), the faults injected,
 * the load generators of a `loadgen` run, and the points' notes. Each is empty when no point has
 * anything to show.
 * @module
 */
import { cellVerdict, deliveryTable, faultRows, labelledRows, noteBlocks, type Verdict } from "./_delivery.ts";
import { escapeHtml, formatCount, formatNumber, formatPercent } from "./_format.ts";
import type { View } from "./_view.ts";

/** Note blocks beyond this many start closed. */
const OPEN_NOTE_BLOCKS = 3;

const MARK: Record<"bad" | "unsure", { sign: string; title: string }> = {
  bad: { sign: "✗", title: "breaks the rule: at-least-once allows no lost, unexpected or abandoned message" },
  unsure: { sign: "?", title: "not known: the drain timed out; these may still be in flight" },
};

/** A count cell; "–" when an older Result lacks the count (abandoned predates fault runs). */
function countCell(value: number | undefined, verdict: Verdict): string {
  if (verdict === null) return `<td>${escapeHtml(formatCount(value))}</td>`;
  const mark = MARK[verdict];
  return `<td class="${verdict}" title="${escapeHtml(mark.title)}">${escapeHtml(formatCount(value))} <span class="mark">${mark.sign}</span></td>`;
}

/** The Delivery section: one row per point with counts, then one sentence per point with a problem. */
export function deliverySection(view: View): string {
  const table = deliveryTable(view);
  if (table === null) return "";
  const head = [`<th class="x" scope="col">point</th>`, ...table.columns.map((column) =>
    `<th scope="col" title="${escapeHtml(column.title)}">${escapeHtml(column.name)}</th>`
  )].join("");
  const body = table.rows.map((row) => {
    const failing = table.columns.some((column) => cellVerdict(column, row.counts) === "bad");
    const cells = table.columns.map((column) => countCell(row.counts[column.key], cellVerdict(column, row.counts))).join("");
    return `<tr${failing ? ` class="failing"` : ""}><td class="x">${escapeHtml(row.label)}</td>${cells}</tr>`;
  }).join("\n");
  const problems = table.problems.length === 0
    ? `<p class="note">Every acked message was delivered at every point: nothing lost, nothing unexpected.</p>`
    : `<ul class="problems">${table.problems.map((problem) =>
      `<li class="${problem.verdict}"><span class="mark">${MARK[problem.verdict].sign}</span> <strong>${escapeHtml(problem.label)}</strong>: ${escapeHtml(problem.text)}</li>`
    ).join("")}</ul>`;
  return `<section class="delivery"><h2>Delivery</h2>
<p class="note">Counts over all replications. A run is valid for an at-least-once implementation when lost = 0 and unexpected = 0 ` +
    `(and, under faults, abandoned = 0): such cells are marked <span class="mark">✗</span>. Duplicates are reported, not failed; ` +
    `dropped by policy was refused or evicted under the overflow strategy, which is said, so not a loss; ` +
    `<span class="mark">?</span> marks acked messages still unseen when the drain timed out.</p>
<div class="table-wrap"><table class="counts"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>
${problems}</section>`;
}

/** The Faults section: one row per fault injected, with what it did in one sentence. */
export function faultsSection(view: View): string {
  const rows = faultRows(view);
  if (rows.length === 0) return "";
  const body = rows.map((row) =>
    `<tr><td class="x">${escapeHtml(row.label)}</td><td class="x">${escapeHtml(row.kind)}</td>` +
    `<td>${row.replication === undefined ? "–" : escapeHtml(String(row.replication))}</td>` +
    `<td>${escapeHtml(row.at)}</td><td>${escapeHtml(row.until)}</td><td class="x">${escapeHtml(row.details)}</td>` +
    `<td class="x text">${escapeHtml(row.summary)}</td></tr>`
  ).join("\n");
  return `<section class="faults"><h2>Faults</h2>
<p class="note">Faults injected into live replications; times in seconds since the replication's start.</p>
<div class="table-wrap"><table><thead><tr><th class="x" scope="col">point</th><th class="x" scope="col">kind</th>` +
    `<th scope="col" title="replication">rep.</th><th scope="col">at</th><th scope="col" title="when it was over">until</th>` +
    `<th class="x" scope="col">details</th><th class="x" scope="col">what happened</th></tr></thead><tbody>\n${body}\n</tbody></table></div></section>`;
}

/** Milliseconds from seconds, for the generators' table. */
function ms(seconds: number | undefined): string {
  return seconds === undefined ? "–" : formatNumber(seconds * 1000);
}

/**
 * The Load generators section (`Point.loadgen`): per point a row per generator — the worker that
 * ran it, what it sent, the rate it was to offer and the rate it achieved inside the window, its
 * pacing error and its clock's estimated offset — and the point's total.
 */
export function loadgenSection(view: View): string {
  const rows = labelledRows(view).filter(({ row }) => row.point.loadgen !== undefined);
  if (rows.length === 0) return "";
  const body = rows.flatMap(({ row, label }) => {
    const loadgen = row.point.loadgen!;
    const share = (achieved: number, offered: number) => (offered > 0 ? formatPercent(achieved / offered) : "–");
    const generators = loadgen.generators.map((g) =>
      `<tr><td class="x">${escapeHtml(label)}</td><td>${g.worker + 1} of ${loadgen.workers}</td><td class="x">${escapeHtml(g.by)}</td>` +
      `<td>${formatCount(g.sent)}</td><td>${formatNumber(g.offeredRate)}</td><td>${formatNumber(g.achievedRate)}</td>` +
      `<td>${share(g.achievedRate, g.offeredRate)}</td><td>${ms(g.pacingError.mean)}</td><td>${ms(g.pacingError.p99)}</td>` +
      `<td>${ms(g.pacingError.max)}</td><td>${g.clockOffset === undefined ? "–" : `${ms(g.clockOffset)} ± ${ms(g.clockError)}`}</td></tr>`
    );
    const total =
      `<tr class="total"><td class="x">${escapeHtml(label)}</td><td>all ${loadgen.workers}</td><td class="x"></td>` +
      `<td>${formatCount(loadgen.generators.reduce((a, g) => a + g.sent, 0))}</td><td>${formatNumber(loadgen.offeredRate)}</td>` +
      `<td><strong>${formatNumber(loadgen.achievedRate)}</strong></td><td>${share(loadgen.achievedRate, loadgen.offeredRate)}</td>` +
      `<td></td><td></td><td></td><td></td></tr>`;
    return [...generators, total];
  }).join("\n");
  return `<section class="loadgen"><h2>Load generators</h2>
<p class="note">The producers ran as load generators on cluster workers, each sending its turn of the arrivals. ` +
    `<em>offered/s</em>: messages intended inside the observation window per second (the scenario's rate, split); ` +
    `<em>achieved/s</em>: messages actually sent inside the window per second — below offered when a generator could not keep pace. ` +
    `Pacing error: how late a generator sent what was intended inside the window, in ms. Clock offset: the generator's clock ` +
    `minus the run's, in ms, estimated through Redis TIME (± half the round trips); latencies across hosts assume synchronised clocks.</p>
<div class="table-wrap"><table><thead><tr><th class="x" scope="col">point</th><th scope="col">generator</th><th class="x" scope="col">worker</th>` +
    `<th scope="col">sent</th><th scope="col">offered/s</th><th scope="col">achieved/s</th><th scope="col" title="achieved / offered">achieved</th>` +
    `<th scope="col">pacing mean ms</th><th scope="col">pacing p99 ms</th><th scope="col">pacing max ms</th><th scope="col">clock offset ms</th></tr></thead>` +
    `<tbody>\n${body}\n</tbody></table></div></section>`;
}

/** The Notes section: the points' own notes, each said once; long lists fold away. */
export function notesSection(view: View): string {
  const blocks = noteBlocks(view);
  if (blocks.length === 0) return "";
  const list = (notes: string[]) => `<ul>${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`;
  const parts = blocks.map((block, index) => {
    const title = block.label ?? "Every point";
    const open = blocks.length <= OPEN_NOTE_BLOCKS || (index === 0 && block.label === null) ? " open" : "";
    return `<details${open}><summary><strong>${escapeHtml(title)}</strong> <span class="count">(${formatCount(block.notes.length)} note${block.notes.length === 1 ? "" : "s"})</span></summary>${list(block.notes)}</details>`;
  });
  return `<section class="point-notes"><h2>Notes</h2>
<p class="note">What the engine said about each point: why the figures are what they are.</p>
${parts.join("\n")}</section>`;
}
