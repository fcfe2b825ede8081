#!/usr/bin/env bun
// The `queuelab` command (package.json bin). Bun runs it; `npm install` brings Bun.
// Ctrl-C and SIGTERM are handled before anything else loads (cli/signals.ts): from the first
// moment, they end the command with 130 or 143 and leave no half-written file.
import { commandDone, exitOnStopSignals } from "./signals.ts";

exitOnStopSignals();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
commandDone(process.exitCode);
