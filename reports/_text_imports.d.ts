// Types for the uPlot files html.ts imports as text (`with { type: "text" }`: Bun and Deno).
declare module "uplot/dist/uPlot.iife.min.js" {
  const text: string;
  export default text;
}
declare module "uplot/dist/uPlot.min.css" {
  const text: string;
  export default text;
}
