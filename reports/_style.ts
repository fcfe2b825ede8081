/** The report page's stylesheet: light, system fonts, printable. @module */
export const PAGE_CSS = `
:root { --ink: #1d2330; --muted: #5b6475; --line: #dde1e8; --soft: #f5f6f8; --warn: #8a4b00; --warnbg: #fff4e0;
  --bad: #a3360b; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font-size: 15px; line-height: 1.45; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 2px; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); font-weight: 620; }
h3 { font-size: 15px; margin: 0; font-weight: 620; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
.banner { border: 1px solid #e0b36a; background: var(--warnbg); color: var(--warn); padding: 10px 14px; border-radius: 6px; margin: 12px 0; }
.banner strong { margin-right: 6px; }
.summary ul { margin: 6px 0; padding-left: 20px; }
.summary li { margin: 3px 0; }
.chips { display: flex; flex-wrap: wrap; gap: 8px 18px; margin: 10px 0 0; padding: 0; list-style: none; font-size: 14px; }
.chip::before { content: ""; display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; background: var(--colour); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 18px; }
figure.chart { margin: 0; padding: 12px 14px 8px; border: 1px solid var(--line); border-radius: 8px; background: #fff; min-width: 0; break-inside: avoid; }
figure.chart figcaption { margin-bottom: 6px; }
figure.chart figcaption p { margin: 1px 0 0; color: var(--muted); font-size: 13px; }
.plot { width: 100%; min-height: 260px; }
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 0 0 12px; font-size: 14px; }
.controls select { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 5px; background: #fff; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0; }
.table-wrap { overflow-x: auto; margin: 8px 0 22px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: right; vertical-align: top; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { position: sticky; top: 0; background: var(--soft); font-weight: 600; }
th.x, td.x, td.class { text-align: left; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td .ci { color: var(--muted); }
td .th { display: block; color: var(--muted); font-size: 12px; }
td .off { color: var(--bad); font-weight: 600; }
table.counts td.bad { color: var(--bad); background: #fdece6; font-weight: 650; }
table.counts td.unsure { color: var(--warn); background: var(--warnbg); }
table.counts tr.failing td.x { color: var(--bad); font-weight: 600; }
table.bus tr.short td { color: var(--bad); }
.mark { font-weight: 700; }
ul.problems { margin: 0 0 18px; padding-left: 0; list-style: none; }
ul.problems li { margin: 6px 0; padding: 6px 10px; border-left: 4px solid var(--line); max-width: 980px; }
ul.problems li.bad { border-left-color: var(--bad); background: #fdf3ef; }
ul.problems li.bad .mark { color: var(--bad); }
ul.problems li.unsure { border-left-color: #e0b36a; background: var(--warnbg); }
.summary li.bad { color: var(--bad); }
.faults td.text { white-space: normal; min-width: 360px; max-width: 620px; }
.point-notes details { margin: 6px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
.point-notes summary { cursor: pointer; }
.point-notes .count { color: var(--muted); font-size: 13px; }
.point-notes ul { margin: 6px 0 4px; padding-left: 20px; font-size: 14px; max-width: 980px; }
.point-notes li { margin: 3px 0; }
h4 { font-size: 14px; margin: 10px 0 0; font-weight: 600; color: var(--muted); }
h3.group { display: flex; align-items: center; gap: 8px; margin-top: 14px; }
h3.group::before { content: ""; width: 14px; height: 14px; border-radius: 3px; background: var(--colour); }
.runs { display: grid; grid-template-columns: 1fr; gap: 18px; }
.run-body { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 8px 28px; align-items: start; }
.run summary { cursor: pointer; color: var(--muted); font-size: 14px; margin-top: 8px; }
.run { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
.run dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 8px 0; font-size: 14px; }
.run dt { color: var(--muted); }
.run dd { margin: 0; overflow-wrap: anywhere; }
.run pre { background: var(--soft); border-radius: 6px; padding: 10px; font-size: 12px; overflow: auto; max-height: 360px; margin: 6px 0; }
.run a.download { display: inline-block; margin-top: 4px; font-size: 14px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
.u-legend { font-size: 12.5px; text-align: left; }
.u-legend .u-series > * { padding: 1px 3px; }
.u-legend .u-series th { cursor: pointer; font-weight: 500; }
.u-legend .u-series:first-child th { color: var(--muted); }
.u-legend.u-inline .u-series { margin-right: 10px; }
.u-legend .u-value { color: var(--muted); font-variant-numeric: tabular-nums; }
@media (max-width: 640px) { .grid { grid-template-columns: 1fr; } main { padding: 16px; } }
@media print {
  @page { size: A4; margin: 12mm; }
  body { font-size: 11pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .sweep > .note, .u-legend .u-series:first-child, .u-legend .u-value { display: none !important; }
  .u-inline.u-live th::after { content: none; }
  main { max-width: none; padding: 0; }
  .grid { grid-template-columns: 1fr; }
  .controls select { border: none; appearance: none; padding: 0; }
  .run pre { max-height: none; overflow: visible; white-space: pre-wrap; }
  a.download { display: none !important; }
  th { position: static; }
  h2 { break-after: avoid; }
  tr, figure.chart, .run, ul.problems li { break-inside: avoid; }
}
`;
