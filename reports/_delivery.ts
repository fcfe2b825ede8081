/**
 * What live and broker runs measured beyond latency, for both renderers: the delivery counts of
 * each point, the points that break the delivery rules in plain sentences, the faults injected,
 * and the points' own notes. Rules (queues/conformance/RULES.md, "Delivery checks"): a run is
 * valid for an at-least-once implementation when lost = 0 and unexpected = 0; duplicates are
 * reported, not failed; dropped-by-policy is not a loss (it was said). Plain text; the renderers
 * escape it. Web-standard only.
 * @module
 */
import type { DeliveryCounts, FaultOutcome, Point } from "../result/result.ts";
import { formatCount, formatNumber } from "./_format.ts";
import { type Group, pointLabel, type Row, type View } from "./_view.ts";

type CountKey = keyof DeliveryCounts;

/**
 * How a count is judged: "bad" breaks the at-least-once rule when above 0 (lost, unexpected,
 * abandoned); "unsure" is not known yet (unseen: the drain timed out); null is reported plainly.
 */
export type Verdict = "bad" | "unsure" | null;

export interface DeliveryColumn {
  key: CountKey;
  name: string;
  title: string;
  verdict: Verdict;
}

const column = (key: CountKey, name: string, title: string, verdict: Verdict = null): DeliveryColumn => ({ key, name, title, verdict });

/** Columns in reading order; `when` says which appear only when a point needs them. */
const COLUMNS: Array<{ column: DeliveryColumn; when: "always" | "present" | "nonzero" }> = [
  { column: column("attempted", "attempted", "Sends started"), when: "always" },
  { column: column("acked", "acked", "Sends the implementation confirmed"), when: "always" },
  { column: column("failed", "failed", "Sends the channel answered with an error other than its overflow policy"), when: "nonzero" },
  {
    column: column("withdrawn", "withdrawn", "Sends still waiting for room when the run ended: never accepted, so not a loss"),
    when: "nonzero",
  },
  { column: column("indeterminate", "indeterminate", "Sends whose outcome is unknown (time-outs)"), when: "nonzero" },
  { column: column("delivered", "delivered", "Distinct messages received"), when: "always" },
  { column: column("recovered", "recovered", "Indeterminate sends that were delivered"), when: "nonzero" },
  { column: column("failedButDelivered", "failed but delivered", "Sends reported failed that were delivered anyway"), when: "nonzero" },
  { column: column("droppedByPolicy", "dropped by policy", "Refused or evicted under the overflow strategy: said, so not a loss"), when: "always" },
  { column: column("lost", "lost", "Acked but never delivered", "bad"), when: "always" },
  { column: column("duplicated", "duplicated", "Receptions beyond the first: reported, not failed"), when: "always" },
  { column: column("reordered", "reordered", "Deliveries below an earlier delivery of the same producer"), when: "always" },
  { column: column("unexpected", "unexpected", "Delivered but never attempted", "bad"), when: "always" },
  {
    column: column("abandoned", "abandoned", "Received by a consumer that crashed before acking, never delivered again", "bad"),
    when: "present",
  },
  { column: column("unseen", "unseen", "Acked but not yet delivered when the drain time limit passed", "unsure"), when: "always" },
];

export interface DeliveryRow {
  label: string;
  counts: DeliveryCounts;
}

/** One point with a problem, in words. */
export interface DeliveryProblem {
  label: string;
  /** "bad" when the point breaks the rule, "unsure" when it only could not finish draining. */
  verdict: "bad" | "unsure";
  text: string;
}

export interface DeliveryTable {
  columns: DeliveryColumn[];
  rows: DeliveryRow[];
  problems: DeliveryProblem[];
}

/** A count's value, 0 when an older Result lacks the field. */
export function count(counts: DeliveryCounts, key: CountKey): number {
  const value = counts[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** How a cell is judged: its column's verdict when the value is above 0, else null. */
export function cellVerdict(column: DeliveryColumn, counts: DeliveryCounts): Verdict {
  return column.verdict !== null && count(counts, column.key) > 0 ? column.verdict : null;
}

/** Whether the counts break the at-least-once rule: lost, unexpected or abandoned messages. */
export function breaksRule(counts: DeliveryCounts): boolean {
  return count(counts, "lost") > 0 || count(counts, "unexpected") > 0 || count(counts, "abandoned") > 0;
}

/** Rows of the view in table order (groups, then x), with their point labels. */
export function labelledRows(view: View): Array<{ group: Group; row: Row; label: string }> {
  return view.groups.flatMap((group) => group.rows.map((row) => ({ group, row, label: pointLabel(view, group, row) })));
}

function plural(n: number, one: string, many = one + "s"): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The MQTT trap, said where a point of an MQTT implementation lost acked messages. */
const MQTT_TRAP = "mosquitto's per-client queue limit (max_queued_messages, 1,000 by default) drops QoS 1 messages " +
  "it has already acknowledged once a subscriber falls that far behind; a broker crash without persistence loses them too.";

/** Why a crashed MQTT consumer loses what it had fetched. */
const MQTT_ACK_ON_RECEIPT = "the MQTT client acknowledges (PUBACK) each message as it arrives, not after the work, so what the dead " +
  "consumer had fetched was acknowledged to the broker and is gone.";
/** Why a crashed mosquitto loses acked messages. */
const MQTT_CRASH = "mosquitto keeps sessions and queued messages in memory and saves them only on a graceful stop or an autosave, " +
  "so after a crash it comes back without the subscription: what it had queued, or received before the consumer subscribed again, " +
  "was acknowledged to the producer and delivered to no one.";

function lostSentence(point: Point, counts: DeliveryCounts): string {
  const lost = count(counts, "lost");
  const split = [
    [count(counts, "lostBefore"), "before the first delivered message of their producer"],
    [count(counts, "lostBetween"), "between delivered ones"],
    [count(counts, "lostAfter"), "after the last delivered one"],
  ].filter(([n]) => (n as number) > 0).map(([n, where]) => `${formatCount(n as number)} ${where}`);
  let text = `Acked is not delivered: ${point.queue} confirmed ${plural(lost, "send")} it never delivered` +
    (split.length > 0 ? ` (${split.join(", ")}).` : ".");
  const faults = point.faults ?? [];
  const crashed = faults.some((fault) => fault.kind === "consumer-crash");
  const restarted = faults.some((fault) => fault.kind === "broker-restart");
  if (/mqtt/i.test(point.queue)) {
    // Under an injected fault the fault is the likelier cause; the queue limit otherwise.
    text += crashed
      ? ` A consumer crash was injected (see Faults): ${MQTT_ACK_ON_RECEIPT}`
      : restarted
      ? ` A broker restart was injected (see Faults): ${MQTT_CRASH}`
      : ` The likely cause: ${MQTT_TRAP}`;
  } else if (restarted) {
    text += " A broker restart was injected into this point (see Faults).";
  } else if (crashed) {
    text += " A consumer crash was injected into this point (see Faults).";
  }
  return text;
}

/** The sentences about one point's problems; empty when it has none. */
function problemsOf(point: Point, counts: DeliveryCounts): string[] {
  const sentences: string[] = [];
  if (count(counts, "lost") > 0) sentences.push(lostSentence(point, counts));
  const unexpected = count(counts, "unexpected");
  if (unexpected > 0) {
    sentences.push(`${plural(unexpected, "message")} delivered that no producer ever sent (unexpected): the implementation made up or corrupted messages.`);
  }
  const abandoned = count(counts, "abandoned");
  if (abandoned > 0) {
    sentences.push(
      `${plural(abandoned, "message")} abandoned: received by a consumer that crashed before acking, and never delivered again — ` +
        "the application never processed them.",
    );
  }
  const unseen = count(counts, "unseen");
  if (unseen > 0) {
    sentences.push(
      `${plural(unseen, "acked message")} unseen: the final drain timed out before ${unseen === 1 ? "it" : "they"} arrived; ` +
        `${unseen === 1 ? "it" : "they"} may still be in flight, so this is neither a loss nor a delivery.`,
    );
  }
  return sentences;
}

/** The delivery table of a view, or null when no point has delivery counts. */
export function deliveryTable(view: View): DeliveryTable | null {
  const rows: DeliveryRow[] = [];
  const problems: DeliveryProblem[] = [];
  for (const { row, label } of labelledRows(view)) {
    const counts = row.point.delivery;
    if (counts === undefined) continue;
    rows.push({ label, counts });
    const sentences = problemsOf(row.point, counts);
    if (sentences.length > 0) problems.push({ label, verdict: breaksRule(counts) ? "bad" : "unsure", text: sentences.join(" ") });
  }
  if (rows.length === 0) return null;
  const columns = COLUMNS.filter(({ column, when }) =>
    when === "always" ||
    (when === "present" && rows.some((row) => typeof row.counts[column.key] === "number")) ||
    (when === "nonzero" && rows.some((row) => count(row.counts, column.key) !== 0))
  ).map(({ column }) => column);
  return { columns, rows, problems };
}

export interface FaultRow {
  label: string;
  kind: string;
  replication: number | undefined;
  /** Seconds since the replication's start, as text ("2.5 s"). */
  at: string;
  until: string;
  details: string;
  summary: string;
}

function seconds(value: number | undefined): string {
  return typeof value === "number" && Number.isFinite(value) ? `${formatNumber(value, 4)} s` : "–";
}

function details(fault: FaultOutcome): string {
  const parts: string[] = [];
  if (fault.consumer !== undefined) parts.push(`consumer ${fault.consumer}`);
  if (fault.held !== undefined) parts.push(`held ${plural(fault.held, "unacked delivery", "unacked deliveries")}`);
  if (fault.mode !== undefined) parts.push(fault.mode === "crash" ? "killed (crash)" : "stopped gracefully");
  if (fault.port !== undefined) parts.push(`port ${fault.port}`);
  if (fault.until === undefined) parts.push("never over");
  return parts.join(", ");
}

/** One row per fault injected, in point order; empty when none was. */
export function faultRows(view: View): FaultRow[] {
  return labelledRows(view).flatMap(({ row, label }) =>
    (row.point.faults ?? []).map((fault) => ({
      label,
      kind: String(fault.kind),
      replication: typeof fault.replication === "number" ? fault.replication : undefined,
      at: seconds(fault.at),
      until: seconds(fault.until),
      details: details(fault),
      summary: String(fault.summary ?? ""),
    }))
  );
}

/** Notes of one point, or (`label` null) the notes every point carries word for word. */
export interface NoteBlock {
  label: string | null;
  notes: string[];
}

/** A point's caveats (`Point.caveats`) as notes: first, since they say how to read the rest. */
function caveatNotes(point: Point): string[] {
  return (point.caveats ?? []).map((caveat) => `Caveat: ${String(caveat)}.`);
}

/**
 * The points' notes, each said once per place: a note every point carries goes in one block for
 * all of them, first; then one block per point with the rest (mostly that point's own numbers).
 * A point's caveats lead its notes.
 */
export function noteBlocks(view: View): NoteBlock[] {
  const labelled = labelledRows(view)
    .map(({ row, label }) => ({ label, notes: [...new Set([...caveatNotes(row.point), ...(row.point.notes ?? []).map(String)])] }))
    .filter((entry) => entry.notes.length > 0);
  const everywhere = labelled.length > 1 ? labelled[0]!.notes.filter((note) => labelled.every((entry) => entry.notes.includes(note))) : [];
  const blocks: NoteBlock[] = everywhere.length > 0 ? [{ label: null, notes: everywhere }] : [];
  for (const entry of labelled) {
    const notes = entry.notes.filter((note) => !everywhere.includes(note));
    if (notes.length > 0) blocks.push({ label: entry.label, notes });
  }
  return blocks;
}
