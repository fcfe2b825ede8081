/**
 * Executes every teaching notebook top to bottom on Deno's Jupyter kernel and renders each to
 * HTML: `deno task notebooks` (or `deno run -A notebooks/render.ts [name…]`).
 *
 * Writes `out/notebooks/<name>.html`, the executed notebooks in `out/notebooks/executed/`, and
 * `out/notebooks/index.html`. Exits 1 when any cell raises, 3 when Jupyter is missing.
 *
 * The kernel: this script writes its own kernelspec (named "deno", pointing at the Deno that
 * runs this script) into `out/notebooks/.jupyter` and puts that first on JUPYTER_PATH, so a
 * fresh clone needs only `jupyter nbconvert` and `ipykernel` installed, not
 * `deno jupyter --install`.
 *
 * The executor: nbconvert's own, extended by `notebooks/_execute.py` so that an output Deno's
 * kernel sends after it has called the cell done still lands in that cell (the stock executor
 * dropped such charts silently). It runs on whatever Python runs `jupyter`.
 * @module
 */
// No imports: this script runs on a fresh clone without fetching anything.
const join = (...parts: string[]) => parts.join("/").replace(/\/{2,}/g, "/");
const basename = (path: string, suffix = "") => {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
};

const root = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const notebooksDir = join(root, "notebooks");
const outDir = join(root, "out", "notebooks");
const executedDir = join(outDir, "executed");
const kernelRoot = join(outDir, ".jupyter");
const TIMEOUT_SECONDS = 120;
/** The executor nbconvert loads from notebooks/ (on PYTHONPATH): see notebooks/_execute.py. */
const EXECUTOR_CLASS = "LateOutputExecutePreprocessor";
const EXECUTOR = `_execute.${EXECUTOR_CLASS}`;

/** Exit code when Jupyter itself is missing (the test skips or fails on it). */
const EXIT_NO_JUPYTER = 3;

async function run(cmd: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(cmd[0]!, { args: cmd.slice(1), env, stdout: "piped", stderr: "piped", cwd: root }).spawn();
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, output: decode(stdout) + decode(stderr) };
}

async function which(command: string): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("sh", { args: ["-c", `command -v ${command}`], stdout: "null", stderr: "null" }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/** The notebooks to run: all of notebooks/*.ipynb, or the ones named on the command line. */
async function listNotebooks(names: string[]): Promise<string[]> {
  const all: string[] = [];
  for await (const entry of Deno.readDir(notebooksDir)) {
    if (entry.isFile && entry.name.endsWith(".ipynb") && !entry.name.startsWith("_")) all.push(entry.name);
  }
  all.sort();
  if (names.length === 0) return all;
  return names.map((name) => {
    const match = all.find((file) => file === name || file === `${name}.ipynb` || file.startsWith(`${name}_`));
    if (!match) throw new Error(`No notebook called "${name}" in notebooks/ (have: ${all.join(", ")})`);
    return match;
  });
}

/** Nothing in a rendered lesson should need the network or files outside it. */
function makeSelfContained(html: string): string {
  // Debian's nbconvert template links require.js and MathJax from /usr/share; the lessons use
  // neither (no TeX, no AMD), so the tags go rather than fail on another machine.
  return html.replace(/<script[^>]*\bsrc="[^"]*(require|mathjax|MathJax)[^"]*"[^>]*>\s*<\/script>/g, "");
}

/** Error outputs of an executed notebook, as "cell N: Name: message". */
function errorsIn(notebook: { cells: { cell_type: string; outputs?: { output_type: string; ename?: string; evalue?: string }[] }[] }): string[] {
  const errors: string[] = [];
  notebook.cells.forEach((cell, i) => {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "error") errors.push(`cell ${i + 1}: ${output.ename}: ${output.evalue}`);
    }
  });
  return errors;
}

async function renderOne(file: string, env: Record<string, string>): Promise<{ file: string; ok: boolean; seconds: number; detail: string }> {
  const started = performance.now();
  const stem = basename(file, ".ipynb");
  const execute = await run(
    [
      "jupyter", "nbconvert", "--to", "notebook",
      // nbconvert's executor with one change (notebooks/_execute.py): an output the kernel sends
      // after saying the cell is done still goes to that cell. Deno's kernel does that often
      // under load, and the stock executor dropped those charts without a word.
      `--NotebookExporter.preprocessors=${EXECUTOR}`,
      `--${EXECUTOR_CLASS}.enabled=True`,
      `--${EXECUTOR_CLASS}.timeout=${TIMEOUT_SECONDS}`,
      // nbclient waits only 4 s (by default) for a cell's outputs after the kernel replies, then
      // drops them silently. Wait longer, and fail loudly rather than render a lesson without them.
      `--${EXECUTOR_CLASS}.iopub_timeout=${TIMEOUT_SECONDS}`,
      `--${EXECUTOR_CLASS}.raise_on_iopub_timeout=True`,
      `--${EXECUTOR_CLASS}.kernel_name=deno`,
      "--output-dir", executedDir,
      join(notebooksDir, file),
    ],
    env,
  );
  const executedPath = join(executedDir, file);
  let errors: string[] = [];
  try {
    errors = errorsIn(JSON.parse(await Deno.readTextFile(executedPath)));
  } catch {
    // not written: nbconvert stopped at the failing cell; its output says why
  }
  if (execute.code !== 0 || errors.length > 0) {
    const detail = [...errors, lastLines(execute.output, 25)].filter((s) => s !== "").join("\n");
    return { file, ok: false, seconds: (performance.now() - started) / 1000, detail };
  }
  const html = await run(["jupyter", "nbconvert", "--to", "html", "--output-dir", outDir, executedPath], env);
  if (html.code !== 0) return { file, ok: false, seconds: (performance.now() - started) / 1000, detail: lastLines(html.output, 15) };
  const htmlPath = join(outDir, `${stem}.html`);
  await Deno.writeTextFile(htmlPath, makeSelfContained(await Deno.readTextFile(htmlPath)));
  // The executor says how many outputs came after their cell was done (kept, not lost).
  const late = Number(/(\d+) late outputs kept/.exec(execute.output)?.[1] ?? 0);
  return { file, ok: true, seconds: (performance.now() - started) / 1000, detail: late > 0 ? `${late} late output${late === 1 ? "" : "s"} kept` : "" };
}

function lastLines(text: string, count: number): string {
  // For a failing cell, nbclient's message (the cell and its error) is what matters, not the
  // Python traceback above it.
  const at = text.indexOf("CellExecutionError:");
  return (at >= 0 ? text.slice(at) : text)
    .split("\n")
    .filter((line) => !/Debugger warning|frozen modules|-Xfrozen_modules|PYDEVD_DISABLE|Debugging will proceed|"deno jupyter" is unstable/.test(line))
    .slice(-count)
    .join("\n")
    .trim();
}

/**
 * Type-checks the code of every notebook (Deno's kernel runs cells without checking types):
 * the code cells of each become one module in a temporary directory (out/ is excluded from
 * checking by deno.json), imports re-pointed at notebooks/, and one `deno check` covers them
 * all. Returns the checker's complaints, if any.
 */
async function typeCheck(files: string[]): Promise<string | undefined> {
  const checkDir = await Deno.makeTempDir({ prefix: "queuelab-notebooks-" });
  const modules: string[] = [];
  for (const file of files) {
    const notebook = JSON.parse(await Deno.readTextFile(join(notebooksDir, file)));
    const code = notebook.cells
      .filter((cell: { cell_type: string }) => cell.cell_type === "code")
      .map((cell: { source: string[] | string }) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source))
      .join("\n;\n")
      .replace(/(from\s+["'])(\.\.?\/)/g, (_m, from: string, dots: string) => `${from}${new URL(dots, `file://${notebooksDir}/`).href}`);
    const module = join(checkDir, `${basename(file, ".ipynb")}.ts`);
    await Deno.writeTextFile(module, `// The code cells of notebooks/${file}, for type checking only.\n${code}\n`);
    modules.push(module);
  }
  const checked = await run([Deno.execPath(), "check", "--quiet", `--config=${join(root, "deno.json")}`, ...modules], { NO_COLOR: "1" });
  await Deno.remove(checkDir, { recursive: true });
  if (checked.code === 0 && /No matching files/.test(checked.output)) return `deno check checked nothing:\n${checked.output}`;
  if (checked.code === 0) return undefined;
  // Only the notebooks' own code fails the build here: errors inside the library's modules are
  // tsc's business (npm run typecheck), and a module another engineer is still writing must not
  // stop the lessons. They are still reported.
  const diagnostics = checked.output.split(/\n(?=\S*TS\d+ \[ERROR\])/).filter((block) => /TS\d+ \[ERROR\]/.test(block));
  const ours = diagnostics.filter((block) => block.includes(`file://${checkDir}/`) || block.includes(`file://${notebooksDir}/`));
  if (diagnostics.length > ours.length) {
    const elsewhere = [...new Set(diagnostics.filter((b) => !ours.includes(b)).map((b) => /at (file:\/\/\S+?):\d+/.exec(b)?.[1] ?? "?"))];
    console.log(`note deno check found ${diagnostics.length - ours.length} type errors outside the notebooks (not failing): ${elsewhere.join(", ")}`);
  }
  if (diagnostics.length === 0) return lastLines(checked.output, 40);
  return ours.length === 0 ? undefined : ours.map((block) => block.trim()).join("\n\n");
}

async function writeIndex(results: { file: string; ok: boolean }[]): Promise<void> {
  const items = await Promise.all(
    results.map(async ({ file, ok }) => {
      const notebook = JSON.parse(await Deno.readTextFile(join(notebooksDir, file)));
      const first = (notebook.cells[0]?.source ?? []).join("");
      const title = /^#\s+(.+)$/m.exec(first)?.[1] ?? file;
      const stem = basename(file, ".ipynb");
      return ok ? `<li><a href="${stem}.html">${escape(title)}</a></li>` : `<li>${escape(title)} — <strong>failed</strong></li>`;
    }),
  );
  const html = `<!doctype html><meta charset="utf-8"><title>queuelab lessons</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 16px}</style>
<h1>queuelab lessons</h1><p>Each lesson is a Deno Jupyter notebook in <code>notebooks/</code>, executed and rendered here.</p>
<ol>${items.join("\n")}</ol>\n`;
  await Deno.writeTextFile(join(outDir, "index.html"), html);
}

function escape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

async function main(args: string[]): Promise<number> {
  if (!(await which("jupyter")) || (await run(["jupyter", "nbconvert", "--version"], {})).code !== 0) {
    console.error(
      "notebooks: `jupyter nbconvert` is not installed. On Debian: apt-get install -y jupyter-nbconvert python3-ipykernel",
    );
    return EXIT_NO_JUPYTER;
  }
  const files = await listNotebooks(args);
  await Deno.mkdir(executedDir, { recursive: true });
  const typeErrors = await typeCheck(files);
  if (typeErrors !== undefined) {
    console.log(`FAIL type check of the notebooks' code:\n${typeErrors.replace(/^/gm, "     ")}`);
    return 1;
  }
  console.log(`ok   type check of ${files.length} notebooks`);
  // Our own kernelspec, first on JUPYTER_PATH: the kernel is the Deno running this script.
  const kernelDir = join(kernelRoot, "kernels", "deno");
  await Deno.mkdir(kernelDir, { recursive: true });
  await Deno.writeTextFile(
    join(kernelDir, "kernel.json"),
    JSON.stringify({ argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"], display_name: "Deno", language: "typescript" }, null, 2),
  );
  const inherited = Deno.env.get("JUPYTER_PATH");
  const inheritedPython = Deno.env.get("PYTHONPATH");
  const env = {
    JUPYTER_PATH: inherited ? `${kernelRoot}:${inherited}` : kernelRoot,
    // where nbconvert finds the executor (notebooks/_execute.py)
    PYTHONPATH: inheritedPython ? `${notebooksDir}:${inheritedPython}` : notebooksDir,
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    NO_COLOR: "1",
  };
  const parallel = Math.max(1, Number(Deno.env.get("QUEUELAB_NOTEBOOK_JOBS") ?? 2));
  const results: Awaited<ReturnType<typeof renderOne>>[] = new Array(files.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, files.length) }, async () => {
      while (next < files.length) {
        const i = next++;
        const result = await renderOne(files[i]!, env);
        results[i] = result;
        const note = result.ok && result.detail !== "" ? `; ${result.detail}` : "";
        console.log(`${result.ok ? "ok  " : "FAIL"} ${result.file} (${result.seconds.toFixed(1)} s${note})`);
        if (!result.ok) console.log(result.detail.replace(/^/gm, "     "));
      }
    }),
  );
  await writeIndex(results);
  const failed = results.filter((r) => !r.ok);
  console.log(`${results.length - failed.length} of ${results.length} notebooks executed; HTML in ${outDir}`);
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
