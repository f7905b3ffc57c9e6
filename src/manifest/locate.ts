// Maps a path inside the parsed data (["libraries", "math", "sources", 0]) back to the YAML
// node it came from, and from there to a 1-based line and column.
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import { yaml } from "./libs.js";
import type { Location } from "../types.js";

export type DataPath = readonly (string | number)[];

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string,
  ) {}

  /** Location of a byte offset in the text. */
  offset(offset: number): Location {
    const { line, col } = this.lines.linePos(Math.max(0, offset));
    return { file: this.file, line, column: col };
  }

  /**
   * Location of the value at `path`, or of its key when `which` is "key" (used for unknown
   * keys and for library names). Falls back to the nearest ancestor that exists.
   */
  at(path: DataPath, which: "value" | "key" = "value"): Location {
    const { isMap, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    let best = 0;
    for (const segment of path) {
      node = this.deref(node);
      let found = false;
      if (isMap(node)) {
        const pair = this.keysOf(node).get(String(segment));
        if (pair) {
          key = pair.key as Node;
          node = pair.value ?? pair.key;
          found = true;
        }
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item !== undefined) {
          key = undefined;
          node = item;
          found = true;
        }
      }
      if (!found) break;
      best = rangeStart(which === "key" && key ? key : node) ?? best;
    }
    if (path.length === 0) best = rangeStart(node) ?? 0;
    return this.offset(best);
  }

  // Per mapping, its scalar keys (first occurrence wins, as the linear scan did): a lookup per
  // library must not scan a mapping of tens of thousands of libraries.
  private readonly keyIndex = new WeakMap<object, Map<string, Pair>>();
  /** Mapping entries indexed so far: at most once each (tests count it to prove linear work). */
  indexedPairs = 0;

  private keysOf(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      const { isPair, isScalar } = yaml();
      index = new Map();
      this.indexedPairs += map.items.length;
      for (const pair of map.items) if (isPair(pair) && isScalar(pair.key) && !index.has(String(pair.key.value))) index.set(String(pair.key.value), pair);
      this.keyIndex.set(map, index);
    }
    return index;
  }

  private deref(node: unknown): unknown {
    return yaml().isAlias(node) ? node.resolve(this.doc) : node;
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  return range ? range[0] : undefined;
}

/** `["libraries", "math", "sources", 0]` → `libraries.math.sources[0]`. */
export function describePath(path: DataPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out || "manifest";
}
