import { Command } from "commander";
import { availableParallelism } from "node:os";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED } from "../exit.ts";
import type { CommandFactory } from "../command.ts";
import { onStopSignal, SIGNAL_EXIT, type StopSignal } from "../signals.ts";

interface WorkerFlags {
  cluster: string;
  concurrency?: string;
  queue?: string;
  lockMs?: string;
  stalledMs?: string;
  maxStalled?: string;
  quiet?: boolean;
}

/** `queuelab worker --cluster URL`: serve a cluster's simulator jobs until Ctrl-C or SIGTERM. */
export const workerCommand: CommandFactory = (setExit) =>
  new Command("worker")
    .description("serve the simulator jobs and load generators (a live scenario's `loadgen`) of `queuelab run --cluster` runs from a Redis (BullMQ), until stopped")
    .requiredOption("--cluster <url>", "the Redis the runs use: redis://[user:password@]host:port/db")
    .option("-c, --concurrency <n>", "jobs at once, each on a thread of its own (default: the machine's cores)")
    .option("--queue <name>", "the BullMQ queue (default: queuelab)")
    .option("--lock-ms <ms>", "how long a job stays with this worker without word from it: after that, another worker takes it (default: 30000)")
    .option("--stalled-ms <ms>", "how often to look for jobs whose worker went silent (default: 30000)")
    .option("--max-stalled <n>", "how many times a job may be taken back from a silent worker before it fails (default: 3)")
    .option("-q, --quiet", "print only errors")
    .addHelpText(
      "after",
      `
Examples:
  $ queuelab worker --cluster redis://10.0.0.5:6379/0 --concurrency 8     (on each machine)
  $ queuelab run hockey_stick --cluster redis://10.0.0.5:6379/0          (anywhere)

A worker takes only jobs planned by its own queuelab version; a job of another is refused with a
message the coordinator prints. Ctrl-C (or SIGTERM) lets the running jobs finish, then exits; a
second one exits at once (BullMQ gives those jobs to another worker once their lock runs out).

Exit codes: 0 stopped, 1 Redis cannot be reached (the URL is named, its password hidden),
2 bad input, 130 and 143 stopped at once by a second Ctrl-C or SIGTERM.`,
    )
    .action(async (flags: WorkerFlags) => {
      const whole = (flag: string, text: string | undefined, min: number, max: number): number | undefined => {
        if (text === undefined) return undefined;
        const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
        if (!(n >= min && n <= max)) throw new CliError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, EXIT_BAD_INPUT);
        return n;
      };
      const concurrency = whole("--concurrency", flags.concurrency, 1, 4 * availableParallelism()) ?? availableParallelism();
      const lockMs = whole("--lock-ms", flags.lockMs, 100, 3_600_000);
      const stalledMs = whole("--stalled-ms", flags.stalledMs, 100, 3_600_000);
      const maxStalled = whole("--max-stalled", flags.maxStalled, 0, 1000);
      if (flags.queue !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(flags.queue)) {
        throw new CliError(`--queue: expected letters, digits, '_', '.' or '-' (no ':'), got ${JSON.stringify(flags.queue)}`, EXIT_BAD_INPUT);
      }
      const { startClusterWorker } = await import("../../runner/cluster/worker.ts");
      const { ClusterError, parseRedisUrl } = await import("../../runner/cluster/connection.ts");
      try {
        parseRedisUrl(flags.cluster);
      } catch (error) {
        throw new CliError((error as Error).message, EXIT_BAD_INPUT);
      }
      const say = (line: string) => {
        if (!flags.quiet) process.stderr.write(`queuelab: ${line}\n`);
      };
      let stopping: StopSignal | undefined;
      let stop: () => void = () => {};
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const stopListening = onStopSignal((signal) => {
        if (stopping) process.exit(SIGNAL_EXIT[signal]);
        stopping = signal;
        say(`${signal === "SIGINT" ? "interrupted" : "terminated"}: finishing the running jobs (again to quit at once)`);
        stop();
      });
      try {
        let worker;
        try {
          worker = await startClusterWorker({
            url: flags.cluster,
            concurrency,
            ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
            ...(lockMs !== undefined ? { lockMs } : {}),
            ...(stalledMs !== undefined ? { stalledMs } : {}),
            ...(maxStalled !== undefined ? { maxStalled } : {}),
            onMessage: say,
          });
        } catch (error) {
          if (error instanceof ClusterError) throw new CliError(error.message, error.badInput ? EXIT_BAD_INPUT : EXIT_FAILED);
          throw error;
        }
        if (stopping === undefined) await stopped;
        await worker.close();
        say(`worker ${worker.name} stopped`);
      } finally {
        stopListening();
      }
      setExit(0);
    });
