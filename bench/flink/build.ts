/**
 * Builds the Flink peer job (`bun bench/flink/build.ts`): fetches Flink from Maven Central into
 * bench/flink/.cache/maven on the first run, then compiles; a no-op when the pom and sources are
 * unchanged. .ci/run calls it before the tests so the fetch is not charged to a test.
 * @module
 */
import { buildFlinkJob, FlinkToolsMissing } from "./flink.ts";

try {
  const build = await buildFlinkJob();
  console.log(`flink job ${build.built ? "built" : "up to date"} in ${(build.ms / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`flink job: ${(error as Error).message}`);
  process.exit(error instanceof FlinkToolsMissing ? 2 : 1);
}
