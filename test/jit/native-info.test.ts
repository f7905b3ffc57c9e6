// nativeInfo(): what the loaded addon was built from and for.
import { describe, expect, it } from "vitest";
import { nativeInfo } from "../../src/index.js";
import { NATIVE_ABI_VERSION } from "../../src/native/binding.js";

describe("nativeInfo", () => {
  it("reports LLVM 22, the ABI versions, the process triple and the build", () => {
    const info = nativeInfo();
    expect(info.llvmVersion).toMatch(/^22\.\d+\.\d+/);
    expect(info.abiVersion).toBe(NATIVE_ABI_VERSION);
    expect(info.tvmFfiVersion).toBe("0.1.14");
    expect(info.targetTriple).toMatch(new RegExp(`^${process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : ""}`));
    expect(info.targetTriple).toContain("linux");
    expect(typeof info.buildType).toBe("string");
    expect(typeof info.sanitize).toBe("boolean");
    // A copy: callers may not mutate the addon's answer for others.
    (info as { llvmVersion: string }).llvmVersion = "x";
    expect(nativeInfo().llvmVersion).not.toBe("x");
  });
});
