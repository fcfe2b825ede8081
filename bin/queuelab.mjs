#!/usr/bin/env node
// The `queuelab` command as npm installs it (package.json bin). queuelab is TypeScript run by
// Bun, and Bun is one of its dependencies: this launcher, plain JavaScript that Node runs, finds
// that Bun (the platform package npm chose, or the `bun` package's own binary) and hands it
// cli/queuelab.ts with the same arguments, standard streams and exit code. No Bun on PATH is
// needed. QUEUELAB_BUN names another Bun binary to use instead.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const entry = fileURLToPath(new URL("../cli/queuelab.ts", import.meta.url));

/** The folder of an installed package, or undefined when npm did not install it. */
function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Bun's binary: the platform package first (it works even when install scripts were skipped). */
function findBun() {
  if (process.env.QUEUELAB_BUN) return process.env.QUEUELAB_BUN;
  const exe = process.platform === "win32" ? "bun.exe" : "bun";
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  const os = process.platform === "win32" ? "windows" : process.platform;
  const bunDir = packageDir("bun");
  const from = bunDir === undefined ? [] : [bunDir];
  for (const suffix of ["", "-musl", "-baseline", "-musl-baseline"]) {
    try {
      const found = dirname(require.resolve(`@oven/bun-${os}-${arch}${suffix}/package.json`, { paths: [...from, dirname(entry)] }));
      if (existsSync(join(found, "bin", exe))) return join(found, "bin", exe);
    } catch {
      // not this flavour
    }
  }
  // The `bun` package's postinstall puts the binary here.
  if (bunDir !== undefined && existsSync(join(bunDir, "bin", "bun.exe"))) return join(bunDir, "bin", "bun.exe");
  return undefined;
}

const bun = findBun();
if (bun === undefined) {
  console.error(
    "queuelab: cannot find Bun, which runs queuelab. It comes with the package as the `bun` dependency;\n" +
      "reinstall without --omit=optional (npm install queuelab), or set QUEUELAB_BUN to a Bun binary.",
  );
  process.exit(2);
}

const child = spawn(bun, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
// Ctrl-C reaches Bun through the terminal's process group; SIGTERM and SIGHUP sent to this
// process alone are passed on. Either way the exit code is Bun's (cli/signals.ts: 130, 143).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (signal !== "SIGINT") child.kill(signal);
  });
}
child.on("error", (error) => {
  console.error(`queuelab: could not start Bun at ${bun}: ${error.message}`);
  process.exit(2);
});
child.on("exit", (code, signal) => {
  if (code !== null) process.exit(code);
  const numbers = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 };
  process.exit(128 + (numbers[signal] ?? 1));
});
