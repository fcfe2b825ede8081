import { describe, expect, test } from "bun:test";
import { gitCommit, gitCommitSoon } from "./host.ts";

describe("host", () => {
  test("gitCommitSoon finds the same commit as gitCommit (both undefined outside a checkout)", async () => {
    const soon = await gitCommitSoon();
    expect(soon).toBe(gitCommit());
    if (soon !== undefined) expect(soon).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
  });
});
