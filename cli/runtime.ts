/**
 * The runtime seam of the command's files: atomic writes, and whether an output folder can be
 * written. (Which runtime this is, for a Result's `meta`, is the runner's: runner/host.ts.)
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** Temporary files this process is writing, removed however it ends. */
const writing = new Set<string>();
let cleanupRegistered = false;

/** `.<name>.<pid>.tmp`: the temporary file `writeAtomic` writes beside `<name>`. */
const TEMP = /^\.(.+)\.(\d+)\.tmp$/;

/**
 * Writes a file atomically: a temporary file beside it (`.<name>.<pid>.tmp`), then a rename.
 * The temporary file is removed if the write fails or the process exits first; one left by a
 * process that was killed (SIGKILL, a power cut) is removed by the next write into the folder.
 */
export function writeAtomic(path: string, content: string): void {
  writeAtomicWith(path, (temp) => writeFileSync(temp, content));
}

/** `writeAtomic` for a writer that fills the temporary file itself (e.g. as a stream). */
export function writeAtomicWith(path: string, write: (temp: string) => void): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  removeStaleTemps(folder);
  const temp = join(folder, `.${basename(path)}.${process.pid}.tmp`);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.on("exit", () => {
      for (const file of writing) removeQuietly(file);
    });
  }
  writing.add(temp);
  try {
    write(temp);
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  } finally {
    writing.delete(temp);
  }
}

/** Removes the temporary files in `folder` whose writing process is gone. */
export function removeStaleTemps(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(TEMP.exec(name)?.[2]);
    if (Number.isSafeInteger(pid) && pid > 0 && !alive(pid)) removeQuietly(join(folder, name));
  }
}

/** Whether process `pid` exists (one of another user counts: it cannot be signalled, but it is there). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * Why files named `names` cannot be written into the folder `dir`, or `undefined` when they
 * can: `dir` is a file, lies under one, or cannot be written, or one of the names is a folder.
 * Only looks: creates nothing, so a run refused later leaves nothing behind.
 */
export function outputProblem(dir: string, names: string[]): string | undefined {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let stat;
  try {
    stat = statSync(existing);
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (!stat.isDirectory()) {
    return existing === resolve(dir) ? "is a file, not a folder" : `lies under ${existing}, which is a file, not a folder`;
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const where = existing === resolve(dir) ? "it" : existing;
    return `cannot be written: ${where} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path) && statSync(path).isDirectory()) return `${path} is a folder: the Result cannot be written over it`;
  }
  return undefined;
}
