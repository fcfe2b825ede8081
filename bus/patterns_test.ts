// The reference matcher against the examples the specifications give (MQTT 5.0 §4.7,
// RabbitMQ's topic exchange tutorial), and the refusals of bad names and patterns.
import { describe, expect, test } from "bun:test";
import { matches, patternError, topicError } from "./patterns.ts";

describe("mqtt filters (MQTT 5.0 §4.7)", () => {
  const yes: [string, string][] = [
    ["sport/tennis/player1/#", "sport/tennis/player1"],
    ["sport/tennis/player1/#", "sport/tennis/player1/ranking"],
    ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"],
    ["sport/#", "sport"],
    ["#", "sport/tennis"],
    ["sport/tennis/+", "sport/tennis/player1"],
    ["sport/+", "sport/"],
    ["+/+", "/finance"],
    ["/+", "/finance"],
    ["+", "sport"],
    ["$SYS/#", "$SYS/broker/clients"],
    ["$SYS/+", "$SYS/uptime"],
    ["a//b", "a//b"],
  ];
  const no: [string, string][] = [
    ["sport/tennis/+", "sport/tennis/player1/ranking"],
    ["sport/+", "sport"],
    ["+", "/finance"],
    ["#", "$SYS/broker"],
    ["+/monitor/Clients", "$SYS/monitor/Clients"],
    ["sport/tennis", "sport/Tennis"],
  ];
  for (const [pattern, topic] of yes) test(`"${pattern}" matches "${topic}"`, () => expect(matches("mqtt", pattern, topic)).toBe(true));
  for (const [pattern, topic] of no) test(`"${pattern}" does not match "${topic}"`, () => expect(matches("mqtt", pattern, topic)).toBe(false));

  test("bad filters and names are refused with why", () => {
    expect(patternError("mqtt", "a/#/b")).toContain('"#" must be the whole last level');
    expect(patternError("mqtt", "sport/tennis#")).toContain('"#" must be the whole last level');
    expect(patternError("mqtt", "+foo")).toContain('"+" must be a whole level');
    expect(patternError("mqtt", "")).toContain("non-empty");
    expect(patternError("mqtt", "a//+/#")).toBeNull();
    expect(topicError("mqtt", "a/+")).toContain("no wildcard");
    expect(topicError("mqtt", "a//b")).toBeNull();
  });
});

describe("amqp bindings (RabbitMQ topic exchange)", () => {
  const yes: [string, string][] = [
    ["*.orange.*", "quick.orange.rabbit"],
    ["*.*.rabbit", "lazy.orange.rabbit"],
    ["lazy.#", "lazy.orange.male.rabbit"],
    ["lazy.#", "lazy"],
    ["#", "a.b.c"],
    ["a.#.b", "a.b"],
    ["a.#.b", "a.x.y.b"],
    ["#.b", "b"],
  ];
  const no: [string, string][] = [
    ["*.orange.*", "quick.orange.male.rabbit"],
    ["*.*.rabbit", "quick.brown.fox"],
    ["a.#.b", "a.x.c"],
    ["*", "a.b"],
  ];
  for (const [pattern, topic] of yes) test(`"${pattern}" matches "${topic}"`, () => expect(matches("amqp", pattern, topic)).toBe(true));
  for (const [pattern, topic] of no) test(`"${pattern}" does not match "${topic}"`, () => expect(matches("amqp", pattern, topic)).toBe(false));

  test("bad bindings and keys are refused with why", () => {
    expect(patternError("amqp", "a..b")).toContain("no empty words");
    expect(patternError("amqp", "a.*b")).toContain("whole words");
    expect(patternError("amqp", "a.#.b")).toBeNull();
    expect(topicError("amqp", "a.*")).toContain("no wildcard");
    expect(topicError("amqp", "x".repeat(256))).toContain("255 bytes");
  });
});

test("exact: equal strings only", () => {
  expect(matches("exact", "a/+", "a/+")).toBe(true);
  expect(matches("exact", "a/+", "a/b")).toBe(false);
  expect(patternError("exact", "")).toContain("non-empty");
});
