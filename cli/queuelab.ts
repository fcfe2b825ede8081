#!/usr/bin/env bun
// The `queuelab` command (package.json bin). Bun runs it; `npm install` brings Bun.
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
