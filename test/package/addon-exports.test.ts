// The addon's real exports against what src/native/binding.ts declares (`declaredExports`, kept
// equal to the NativeBinding/NativeValues/NativeSession/NativeLibrary interfaces by
// `satisfies`): an export added on one side only fails here, so the types cover the addon.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { declaredExports, loadedAddon } from "../../src/native/binding.js";
import { addon } from "../../src/values/native.js";
import { FFIError, LinkError, SymbolNotFoundError } from "../../src/errors.js";
import { firstMessageOfWorker } from "../helpers/worker.js";

const f = () => undefined;

/** name -> typeof, for the own enumerable properties of `o`. */
function kinds(o: object): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, typeof (o as Record<string, unknown>)[k]]));
}

function sorted<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** name -> "method" | "accessor", for a class's prototype (constructor left out). */
function members(cls: { prototype: object }): Record<string, string> {
  const out: [string, string][] = [];
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    if (name === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(cls.prototype, name)!;
    out.push([name, d.get || d.set ? "accessor" : "method"]);
  }
  return Object.fromEntries(out.sort(([a], [b]) => a.localeCompare(b)));
}

describe("addon exports", () => {
  const binding = addon();

  it("the addon exports exactly what NativeBinding declares", () => {
    expect(kinds(binding)).toEqual(sorted(declaredExports.binding));
  });

  it("exports.values holds exactly what NativeValues declares", () => {
    expect(kinds(binding.values)).toEqual(sorted(declaredExports.values));
  });

  it("Session and Library have exactly the declared members", () => {
    expect(members(binding.Session)).toEqual(sorted(declaredExports.session));
    expect(members(binding.Library as unknown as { prototype: object })).toEqual(sorted(declaredExports.library));
  });

  it("Library cannot be constructed from JS; createLibrary's objects are Library instances", () => {
    const Lib = binding.Library as unknown as new () => object;
    expect(() => new Lib()).toThrow(/created by Session.createLibrary/);
    const s = new binding.Session();
    try {
      expect(s.createLibrary("x")).toBeInstanceOf(binding.Library);
    } finally {
      s.dispose();
    }
  });

  it("initialize checks what it is given and names the missing member", () => {
    const raw = createRequire(import.meta.url)(loadedAddon()!.path) as {
      initialize(x: unknown): void;
    };
    expect(() => raw.initialize(undefined)).toThrow(/expected an object/);
    expect(() => raw.initialize({ errors: {} })).toThrow(/'factories' must be an object/);
    expect(() => raw.initialize({ errors: {}, factories: {} })).toThrow(/'errors.FFIError' must be a function/);
    const factories = { tensor: f, object: f, dtype: f, device: f, map: f };
    expect(() => raw.initialize({ errors: { FFIError, LinkError }, factories })).toThrow(/'errors.ObjectFileError'/);
    // a failed call changes nothing: errors are still the classes of src/errors.ts
    const s = new binding.Session();
    try {
      expect(() => s.createLibrary("y").getFunction("nope")).toThrow(SymbolNotFoundError);
    } finally {
      s.dispose();
    }
  });

  it("a worker thread's addon state is its own: initialized by its own load, torn down with it", async () => {
    const code = `
      const { parentPort } = require("node:worker_threads");
      import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)}).then((m) => {
        const s = new m.ExecutionSession();
        const lib = s.createLibrary("w");
        let name = "";
        try { lib.getFunction("nothing_here"); } catch (e) { name = e.constructor.name; }
        s.dispose();
        parentPort.postMessage(name);
      });`;
    const got = await firstMessageOfWorker(code);
    expect(got).toBe("SymbolNotFoundError");
  });
});
