import { describe, expect, test } from "bun:test";
import { isMissingPackage, loadOptional } from "./_optional.ts";

describe("optional peers", () => {
  test("a package that is not installed gives an error naming it and what needs it", async () => {
    const name = "queuelab-optional-peer-that-does-not-exist";
    const error = await loadOptional(() => import(name), name, "some_peer").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `some_peer needs the optional package "${name}", which is not installed (npm install ${name}, or install queuelab without --omit=optional)`,
    );
  });

  test("an error of the package itself is passed on unchanged", async () => {
    const failure = new TypeError("effect broke");
    await expect(loadOptional(() => Promise.reject(failure), "effect", "effect_queue")).rejects.toBe(failure);
    expect(isMissingPackage(new Error("Cannot find package 'mitt'"), "effect")).toBe(false);
  });

  test("an installed package loads", async () => {
    const zod = await loadOptional(() => import("zod"), "zod", "test");
    expect(typeof zod.z.object).toBe("function");
  });
});
