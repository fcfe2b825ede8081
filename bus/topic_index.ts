/**
 * The routing index of queuelab's bus: which subscriptions a topic reaches.
 *
 * - `exact`: one Map from topic to its subscriptions.
 * - `mqtt` and `amqp`: a trie of levels. A node has its literal children (a Map), one child for
 *   the single-level wildcard (`+` in MQTT, `*` in AMQP), one for `#`, and the subscriptions whose
 *   pattern ends there. Matching walks the topic's levels once, following at each node the literal
 *   child, the single-level child and the `#` child:
 *   - MQTT: `#` is always the last level, so a `#` node only collects; it also collects when the
 *     topic ends at its parent (`a/#` matches `a`, §4.7.1.2); at the first level neither `+` nor
 *     `#` is followed when the topic starts with `$` (§4.7.2).
 *   - AMQP: `#` matches zero or more words anywhere, so a `#` node is entered at every remaining
 *     position. Consecutive `#` words are stored as one (`#.#` selects what `#` selects), and
 *     a subscription reached along two paths (`#.a.#` over `a.a`) is collected once (a stamp per
 *     match).
 *
 * Every list held here is replaced, never changed in place (copy on write), and a match is
 * returned as an immutable {@linkcode Route}, so a publish walking one keeps a consistent
 * snapshot while handlers subscribe or unsubscribe.
 *
 * The bus keeps a cache of routes in front of the trie (bus/topic_bus.ts).
 * @module
 */
import type { PatternLanguage } from "./types.ts";

/**
 * What the index stores: anything with a stamp it may use to collect it once per match, and its
 * place in subscription order (a match lists its subscriptions in that order, as an emitter
 * calls its listeners in the order they were added).
 */
export interface Indexed {
  stamp: number;
  readonly order: number;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The subscriptions one topic reaches, in subscription order: an immutable singly linked list.
 * A list rather than an array: walking one node per subscription is what an emitter with one
 * listener costs (measured ~2 ns a publish less than an array on Bun, bench/bus.ts fanout-1),
 * and it is never changed in place, so a publish walking it keeps a consistent snapshot.
 */
export interface Route<S> {
  readonly sub: S;
  readonly next: Route<S> | undefined;
  /**
   * Sync publishes that walked this route since its subscriptions' counts last took them in
   * (kept on the first node only; bus/topic_bus.ts: one count per publish, not per subscription).
   */
  hits: number;
}

/** The route through `subs`, in order (`undefined` when there are none). */
export function routeOf<S>(subs: readonly S[]): Route<S> | undefined {
  let route: Route<S> | undefined;
  for (let i = subs.length - 1; i >= 0; i--) route = { sub: subs[i]!, next: route, hits: 0 };
  return route;
}

/** The subscriptions of `route`, in order. */
export function subsOf<S>(route: Route<S> | undefined): S[] {
  const out: S[] = [];
  for (let node = route; node !== undefined; node = node.next) out.push(node.sub);
  return out;
}

/** A routing index over subscriptions `S`. Patterns and topics must be valid (see bus/patterns.ts). */
export interface TopicIndex<S extends Indexed> {
  add(pattern: string, sub: S): void;
  /** Removes `sub` (added under `pattern`); true if it was there. */
  remove(pattern: string, sub: S): boolean;
  /** The subscriptions `topic` reaches, each once, or `undefined` for none. */
  match(topic: string): Route<S> | undefined;
  /** Subscriptions held. */
  readonly size: number;
}

/**
 * `exact`: a dictionary (a prototype-less object) from topic to subscriptions. An object rather
 * than a Map: engines cache the lookup of a key seen before at the same call site, which a Map
 * lookup does not get (measured by bench/bus.ts, fanout-1).
 *
 * The dictionary may be the caller's (`routes`): the bus looks routes up in it directly and
 * holds it in a field that is set once and never replaced (see bus/topic_bus.ts on why).
 */
export class ExactIndex<S extends Indexed> implements TopicIndex<S> {
  /** The dictionary itself (topic → route), for a caller that looks routes up directly. */
  readonly routes: Record<string, Route<S> | null | undefined>;
  size = 0;

  /**
   * `replaced` is told of a route before a new one takes its place (the bus folds its hits in
   * first). Told here, where the dictionary is read anyway: a second read of a key not there yet,
   * from another call site, was measured to halve later lookups in about half the processes
   * (bench/bus.ts match-exact-1000 on Bun).
   */
  constructor(routes: Record<string, Route<S> | null | undefined> = Object.create(null), readonly replaced?: (route: Route<S>) => void) {
    this.routes = routes;
  }

  add(pattern: string, sub: S): void {
    // A caller's dictionary may hold null for a topic it found no one for (bus/topic_bus.ts).
    const old = this.routes[pattern] ?? undefined;
    if (old !== undefined) this.replaced?.(old);
    this.routes[pattern] = routeOf([...subsOf(old), sub]);
    this.size++;
  }

  remove(pattern: string, sub: S): boolean {
    const old = this.routes[pattern] ?? undefined;
    const subs = subsOf(old);
    if (!subs.includes(sub)) return false;
    if (old !== undefined) this.replaced?.(old);
    if (subs.length === 1) delete this.routes[pattern];
    else this.routes[pattern] = routeOf(subs.filter((other) => other !== sub));
    this.size--;
    return true;
  }

  match(topic: string): Route<S> | undefined {
    return this.routes[topic] ?? undefined;
  }
}

class TrieNode<S> {
  children: Map<string, TrieNode<S>> | undefined = undefined;
  one: TrieNode<S> | undefined = undefined;
  many: TrieNode<S> | undefined = undefined;
  subs: readonly S[] = EMPTY;

  get empty(): boolean {
    return this.subs.length === 0 && this.one === undefined && this.many === undefined &&
      (this.children === undefined || this.children.size === 0);
  }
}

/** `mqtt` and `amqp`: the trie of levels described in the module documentation. */
export class TrieIndex<S extends Indexed> implements TopicIndex<S> {
  readonly #root = new TrieNode<S>();
  readonly #separator: string;
  readonly #one: string;
  readonly #mqtt: boolean;
  #stamp = 0;
  size = 0;

  constructor(language: "mqtt" | "amqp") {
    this.#mqtt = language === "mqtt";
    this.#separator = this.#mqtt ? "/" : ".";
    this.#one = this.#mqtt ? "+" : "*";
  }

  /** The levels the trie stores for `pattern` (AMQP: runs of `#` as one). */
  #levels(pattern: string): string[] {
    const levels = pattern.split(this.#separator);
    if (this.#mqtt) return levels;
    return levels.filter((level, i) => !(level === "#" && levels[i - 1] === "#"));
  }

  add(pattern: string, sub: S): void {
    let node = this.#root;
    for (const level of this.#levels(pattern)) {
      if (level === "#") node = node.many ??= new TrieNode<S>();
      else if (level === this.#one) node = node.one ??= new TrieNode<S>();
      else {
        const children = node.children ??= new Map();
        let child = children.get(level);
        if (child === undefined) children.set(level, child = new TrieNode<S>());
        node = child;
      }
    }
    node.subs = [...node.subs, sub];
    this.size++;
  }

  remove(pattern: string, sub: S): boolean {
    const path: [TrieNode<S>, string][] = [];
    let node: TrieNode<S> | undefined = this.#root;
    for (const level of this.#levels(pattern)) {
      path.push([node, level]);
      node = level === "#" ? node.many : level === this.#one ? node.one : node.children?.get(level);
      if (node === undefined) return false;
    }
    if (!node.subs.includes(sub)) return false;
    node.subs = node.subs.length === 1 ? EMPTY : node.subs.filter((other) => other !== sub);
    this.size--;
    // Prune the nodes left empty, deepest first.
    for (let i = path.length - 1; i >= 0 && node.empty; i--) {
      const [parent, level] = path[i]!;
      if (level === "#") parent.many = undefined;
      else if (level === this.#one) parent.one = undefined;
      else parent.children!.delete(level);
      node = parent;
    }
    return true;
  }

  match(topic: string): Route<S> | undefined {
    const levels = topic.split(this.#separator);
    const out: S[] = [];
    if (this.#mqtt) this.#mqttWalk(this.#root, levels, 0, out, topic.charCodeAt(0) === 36 /* $ */);
    else {
      const stamp = ++this.#stamp;
      this.#amqpWalk(this.#root, levels, 0, out, stamp);
    }
    // The walk meets subscriptions in trie order; hand them out in subscription order.
    if (out.length > 1) out.sort(byOrder);
    return routeOf(out);
  }

  #mqttWalk(node: TrieNode<S>, levels: string[], i: number, out: S[], dollar: boolean): void {
    if (i === levels.length) {
      push(out, node.subs);
      // "#" also matches the parent level.
      if (node.many !== undefined) push(out, node.many.subs);
      return;
    }
    const wild = i !== 0 || !dollar;
    if (wild && node.many !== undefined) push(out, node.many.subs);
    if (wild && node.one !== undefined) this.#mqttWalk(node.one, levels, i + 1, out, dollar);
    const child = node.children?.get(levels[i]!);
    if (child !== undefined) this.#mqttWalk(child, levels, i + 1, out, dollar);
  }

  #amqpWalk(node: TrieNode<S>, levels: string[], i: number, out: S[], stamp: number): void {
    const many = node.many;
    // "#" takes zero or more words: continue after it from here and from every later word.
    if (many !== undefined) for (let k = i; k <= levels.length; k++) this.#amqpWalk(many, levels, k, out, stamp);
    if (i === levels.length) {
      const subs = node.subs;
      for (let s = 0; s < subs.length; s++) {
        const sub = subs[s]!;
        if (sub.stamp !== stamp) {
          sub.stamp = stamp;
          out.push(sub);
        }
      }
      return;
    }
    if (node.one !== undefined) this.#amqpWalk(node.one, levels, i + 1, out, stamp);
    const child = node.children?.get(levels[i]!);
    if (child !== undefined) this.#amqpWalk(child, levels, i + 1, out, stamp);
  }
}

function byOrder(a: Indexed, b: Indexed): number {
  return a.order - b.order;
}

function push<S>(out: S[], subs: readonly S[]): void {
  for (let s = 0; s < subs.length; s++) out.push(subs[s]!);
}

/** The index for `language`. */
export function createIndex<S extends Indexed>(language: PatternLanguage): TopicIndex<S> {
  return language === "exact" ? new ExactIndex<S>() : new TrieIndex<S>(language);
}
