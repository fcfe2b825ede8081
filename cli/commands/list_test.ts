import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { main } from "../main.ts";
import { registry } from "../../queues/mod.ts";

describe("queuelab list", () => {
  let printed: string[] = [];
  let spy: ReturnType<typeof spyOn>;
  beforeEach(() => {
    printed = [];
    spy = spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
  });
  afterEach(() => spy.mockRestore());

  test("list --json prints a JSON array with every registry entry and its promises", async () => {
    expect(await main(["list", "--json"])).toBe(0);
    const rows = JSON.parse(printed.join("\n")) as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.name)).toEqual(Object.keys(registry));
    for (const row of rows) {
      for (const field of ["kind", "mode", "order", "delivery", "bounded", "overflow", "rendezvous", "crossThread", "origin", "exceptions"]) {
        expect(row).toHaveProperty(field);
      }
    }
    const flatqueue = rows.find((row) => row.name === "flatqueue")!;
    expect(Object.keys(flatqueue.exceptions as object)).toContain("C1");
  });

  test("list prints an aligned table naming every registry entry", async () => {
    expect(await main(["list"])).toBe(0);
    const text = printed.join("\n");
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^name\s+kind\s+order\s+delivery\s+bounded\s+overflow/);
    for (const name of Object.keys(registry)) {
      expect(lines.some((line) => line.startsWith(`${name} `))).toBe(true);
    }
    // Aligned: the "order" column starts at the same offset on every entry row.
    const orderAt = lines[0]!.indexOf("order");
    for (const line of lines.slice(2, 2 + Object.keys(registry).length)) {
      expect(line[orderAt - 1]).toBe(" ");
      expect(line[orderAt]).not.toBe(" ");
    }
  });
});
