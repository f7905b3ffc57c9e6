// Command lines, toolchain choice, diagnostics and depfile parsing as data: covers Windows
// (MSVC, clang-cl, vswhere/VsDevCmd), nvcc and macOS shapes that cannot run on this host.
import { describe, expect, it } from "vitest";
import { languageOf as manifestLanguageOf } from "../../src/manifest/index.js";
import {
  buildCompileCommand,
  clCandidates,
  compilerCandidates,
  cudaArchFlags,
  detectKind,
  devEnvCommand,
  flagsReferToCwd,
  languageOf,
  parseDiagnostics,
  parseMakeDepfile,
  parseSetOutput,
  parseShowIncludes,
  pickDevEnv,
  splitCommandVar,
  vswhereCommand,
  type CommandInputs,
} from "../../src/compiler/index.js";

const base: CommandInputs = {
  language: "c++",
  includeDirs: ["C:\\pkg\\native\\include", "C:\\proj\\inc"],
  defines: { B: "2", A: true },
  unitFlags: [],
  extraCflags: [],
  extraCudaCflags: [],
  optLevel: 2,
  debug: false,
  platform: "win32",
};
const winPaths = { source: "C:\\proj\\src\\k.cc", object: "C:\\cache\\tmp\\b1\\out.obj", depfile: "C:\\cache\\tmp\\b1\\out.d" };

describe("MSVC and clang-cl command lines", () => {
  it("C++ with cl: /c /GS- /EHsc /MD /std:c++17 /showIncludes, /Fo and /Tp", () => {
    const plan = buildCompileCommand({ kind: "msvc", prefixArgs: [] }, base, winPaths);
    expect(plan.deps).toBe("showIncludes");
    expect(plan.args).toEqual([
      "/nologo", "/c", "/GS-", "/MD", "/EHsc", "/std:c++17", "/O2",
      "/wd4819", "/wd4251", "/wd4244", "/wd4267", "/wd4275", "/wd4018", "/wd4190", "/wd4624", "/wd4067", "/wd4068",
      "/showIncludes", "/IC:\\pkg\\native\\include", "/IC:\\proj\\inc", "/DA", "/DB=2",
      "/FoC:\\cache\\tmp\\b1\\out.obj", "/TpC:\\proj\\src\\k.cc",
    ]);
    expect(plan.keyArgs).toContain("/Fo<object>");
    expect(plan.keyArgs).toContain("/Tp<source>");
    expect(plan.keyArgs.join(" ")).not.toContain("b1");
  });

  it("C with clang-cl: no /EHsc or /std, /Tc, debug → /Z7, -O0 → /Od, user /std wins", () => {
    const c = buildCompileCommand({ kind: "clang-cl", prefixArgs: [] }, { ...base, language: "c", debug: true, optLevel: 0 }, { ...winPaths, source: "C:\\proj\\a.c" });
    expect(c.args.slice(0, 6)).toEqual(["/nologo", "/c", "/GS-", "/MD", "/Od", "/Z7"]);
    expect(c.args).not.toContain("/EHsc");
    expect(c.args.at(-1)).toBe("/TcC:\\proj\\a.c");
    const cxx = buildCompileCommand({ kind: "clang-cl", prefixArgs: [] }, { ...base, extraCflags: ["/std:c++20"] }, winPaths);
    expect(cxx.args).not.toContain("/std:c++17");
    expect(cxx.args).toContain("/std:c++20");
  });

  it("vswhere → VsDevCmd/vcvars → cl.exe", () => {
    const env = { "ProgramFiles(x86)": "C:\\Program Files (x86)" };
    const vw = vswhereCommand(env);
    expect(vw.file).toBe("C:\\Program Files (x86)\\Microsoft Visual Studio\\Installer\\vswhere.exe");
    expect(vw.args).toEqual(["-latest", "-products", "*", "-requires", "Microsoft.VisualStudio.Component.VC.Tools.x86.x64", "-property", "installationPath", "-utf8"]);
    const install = "C:\\Program Files\\Microsoft Visual Studio\\2022\\Community";
    const dev = devEnvCommand(install, "x64");
    expect(dev).toEqual({
      file: "cmd.exe",
      args: ["/d", "/s", "/c", `""${install}\\Common7\\Tools\\VsDevCmd.bat" -arch=x64 -host_arch=x64 -no_logo >nul && set"`],
      verbatim: true,
    });
    expect(devEnvCommand(install, "x64", "vcvars").args[3]).toBe(`""${install}\\VC\\Auxiliary\\Build\\vcvars64.bat" >nul && set"`);
    const set = parseSetOutput("Path=C:\\VS\\bin\\Hostx64\\x64;C:\\Windows\r\nINCLUDE=C:\\VS\\include;C:\\SDK\\ucrt\r\nLIB=C:\\VS\\lib\r\nUSERNAME=me\r\n");
    const picked = pickDevEnv(set);
    expect(picked).toEqual({ Path: "C:\\VS\\bin\\Hostx64\\x64;C:\\Windows", INCLUDE: "C:\\VS\\include;C:\\SDK\\ucrt", LIB: "C:\\VS\\lib" });
    expect(clCandidates({ PATH: "C:\\VS\\bin\\Hostx64\\x64;C:\\Windows" })[0]).toBe("C:\\VS\\bin\\Hostx64\\x64\\cl.exe");
  });

  it("Windows default compiler order: cl, clang-cl, clang", () => {
    expect(compilerCandidates("c++", undefined, {}, "win32").map((c) => c.command)).toEqual(["cl", "clang-cl", "clang++"]);
    expect(compilerCandidates("c", "msvc", {}, "win32")).toEqual([{ command: "cl", prefixArgs: [], kind: "msvc", explicit: true }]);
  });

  it("parses /showIncludes and MSVC diagnostics", () => {
    const out = [
      "k.cc",
      "Note: including file: C:\\proj\\inc\\a.h",
      "Note: including file:  C:\\proj\\inc\\b.h",
      "C:\\proj\\src\\k.cc(12): error C2143: syntax error: missing ';' before '}'",
      "C:\\proj\\src\\k.cc(3,7): warning C4101: 'x': unreferenced local variable",
    ].join("\r\n");
    const { deps, rest } = parseShowIncludes(out);
    expect(deps).toEqual(["C:\\proj\\inc\\a.h", "C:\\proj\\inc\\b.h"]);
    const diags = parseDiagnostics(rest);
    expect(diags).toEqual([
      { severity: "error", message: "C2143: syntax error: missing ';' before '}'", location: { file: "C:\\proj\\src\\k.cc", line: 12, column: 1 } },
      { severity: "warning", message: "C4101: 'x': unreferenced local variable", location: { file: "C:\\proj\\src\\k.cc", line: 3, column: 7 } },
    ]);
  });

  it("parses clang-cl diagnostics (msvc format with columns)", () => {
    const d = parseDiagnostics("C:\\p\\k.cc(4,11): error: expected expression\n    4 |   int x = ;\n      |           ^\n1 error generated.");
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: "error", message: "expected expression", location: { file: "C:\\p\\k.cc", line: 4, column: 11 } });
    expect(d[0]!.detail).toContain("^");
  });
});

describe("gcc/clang and nvcc command lines", () => {
  const linux = { ...base, platform: "linux" as const, includeDirs: ["/pkg/native/include"], defines: {} };
  const paths = { source: "/p/k.cc", object: "/c/tmp/out.o", depfile: "/c/tmp/out.d" };
  it("C++: -c -fPIC -std=c++17 -O2 -MMD -MF, explicit -x", () => {
    const plan = buildCompileCommand({ kind: "clang", prefixArgs: [] }, linux, paths);
    expect(plan.deps).toBe("makefile");
    expect(plan.args).toEqual(["-c", "-fPIC", "-std=c++17", "-O2", "-fdiagnostics-color=never", "-I/pkg/native/include", "-MMD", "-MF", "/c/tmp/out.d", "-o", "/c/tmp/out.o", "-x", "c++", "/p/k.cc"]);
    expect(plan.keyArgs.slice(-7)).toEqual(["-MF", "<depfile>", "-o", "<object>", "-x", "c++", "<source>"]);
  });
  it("C: no -std; debug -g; user -std wins; prefix args from CC kept first", () => {
    const plan = buildCompileCommand({ kind: "gcc", prefixArgs: ["-m64"] }, { ...linux, language: "c", debug: true, optLevel: "s", unitFlags: ["-std=c11"] }, paths);
    expect(plan.args.slice(0, 6)).toEqual(["-m64", "-c", "-fPIC", "-Os", "-g", "-fdiagnostics-color=never"]);
    expect(plan.args).toContain("-std=c11");
    expect(plan.args.filter((a) => a.startsWith("-std"))).toEqual(["-std=c11"]);
  });
  it("arm64 Linux gcc adds -mno-outline-atomics", () => {
    expect(buildCompileCommand({ kind: "gcc", prefixArgs: [] }, { ...linux, arch: "arm64" }, paths).args).toContain("-mno-outline-atomics");
    expect(buildCompileCommand({ kind: "clang", prefixArgs: [] }, { ...linux, arch: "arm64" }, paths).args).not.toContain("-mno-outline-atomics");
  });
  it("nvcc: -Xcompiler -fPIC, arch from option, extraCudaCflags only", () => {
    const plan = buildCompileCommand({ kind: "nvcc", prefixArgs: [] }, { ...linux, language: "cuda", cudaArch: "8.0 sm_90a", extraCflags: ["-Wall"], extraCudaCflags: ["--use_fast_math"] }, { ...paths, source: "/p/k.cu" });
    expect(plan.args.slice(0, 5)).toEqual(["-c", "-Xcompiler", "-fPIC", "-std=c++17", "-O2"]);
    expect(plan.args).toContain("-gencode=arch=compute_80,code=sm_80");
    expect(plan.args).toContain("-gencode=arch=compute_90a,code=sm_90a");
    expect(plan.args).toContain("--use_fast_math");
    expect(plan.args).not.toContain("-Wall");
    expect(buildCompileCommand({ kind: "nvcc", prefixArgs: [] }, { ...base, language: "cuda" }, winPaths).args.slice(1, 3)).toEqual(["-Xcompiler", "/MD,/GS-,/EHsc"]);
    expect(() => cudaArchFlags("volta")).toThrow(/invalid CUDA architecture/);
  });
  it("picks compilers: clang-22 first, CC/CXX honoured, explicit names, nvcc lookup", () => {
    expect(compilerCandidates("c", undefined, {}, "linux").map((c) => c.command)).toEqual(["clang-22", "clang", "gcc", "cc"]);
    expect(compilerCandidates("c++", undefined, {}, "linux").map((c) => c.command)).toEqual(["clang++-22", "clang++", "g++", "c++"]);
    expect(compilerCandidates("c++", "clang", {}, "darwin").map((c) => c.command)).toEqual(["clang++-22", "clang++"]);
    expect(compilerCandidates("c", undefined, { CC: "ccache gcc -m64" }, "linux")).toEqual([{ command: "ccache", prefixArgs: ["gcc", "-m64"], explicit: true }]);
    expect(compilerCandidates("c++", "gcc", { CXX: "clang++" }, "linux")[0]!.command).toBe("g++");
    expect(compilerCandidates("cuda", undefined, { CUDA_HOME: "/opt/cuda" }, "linux").map((c) => c.command)).toEqual(["/opt/cuda/bin/nvcc", "nvcc"]);
    expect(splitCommandVar('"/opt/my cc/gcc" -O1')).toEqual({ command: "/opt/my cc/gcc", prefixArgs: ["-O1"] });
  });
  it("recognises compilers from their banners", () => {
    expect(detectKind("Debian clang version 22.1.8 (1~deb12u1)\nTarget: x86_64-pc-linux-gnu", "/usr/bin/clang-22")).toBe("clang");
    expect(detectKind("clang version 18.1.8\nTarget: x86_64-pc-windows-msvc", "C:\\LLVM\\bin\\clang-cl.exe")).toBe("clang-cl");
    expect(detectKind("gcc (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.", "/usr/bin/cc")).toBe("gcc");
    expect(detectKind("Microsoft (R) C/C++ Optimizing Compiler Version 19.38.33133 for x64", "cl.exe")).toBe("msvc");
    expect(detectKind("nvcc: NVIDIA (R) Cuda compiler driver", "/usr/local/bin/nvcc")).toBe("nvcc");
    expect(detectKind("Apple clang version 15.0.0 (clang-1500.3.9.4)", "/usr/bin/cc")).toBe("clang");
  });
  it("languages from extensions; relative path flags make the key cwd-dependent", () => {
    // `.C` is C++ (as gcc and clang take it), in the compiler and the manifest alike (one table, util/language.ts)
    const files = ["a.c", "a.C", "a.cc", "a.cpp", "a.cxx", "a.c++", "a.CC", "dir.c/a.cu"];
    expect(files.map(languageOf)).toEqual(["c", "c++", "c++", "c++", "c++", "c++", "c++", "cuda"]);
    expect(files.map(manifestLanguageOf)).toEqual(files.map(languageOf));
    expect(languageOf("a.ino")).toBe("c++");
    expect(manifestLanguageOf("a.ino")).toBeUndefined();
    expect(manifestLanguageOf("dir.c/Makefile")).toBeUndefined();
    expect(flagsReferToCwd(["-O3", "-I/abs"])).toBe(false);
    expect(flagsReferToCwd(["-Iinclude"])).toBe(true);
    expect(flagsReferToCwd(["-isystem", "third_party"])).toBe(true);
    expect(flagsReferToCwd(["/IC:\\abs"])).toBe(false);
  });
});

describe("gcc/clang diagnostics", () => {
  it("parses clang output with notes, carets and context", () => {
    const out = [
      "In file included from /p/a.cc:1:",
      "/p/inc/h.h:3:9: error: unknown type name 'foo'",
      "    3 | typedef foo bar;",
      "      |         ^",
      "/p/a.cc:10:5: warning: unused variable 'x' [-Wunused-variable]",
      "/p/a.cc:2:6: note: previous definition is here",
      "1 warning and 1 error generated.",
    ].join("\n");
    const d = parseDiagnostics(out);
    expect(d.map((x) => [x.severity, x.location?.file, x.location?.line, x.location?.column])).toEqual([
      ["error", "/p/inc/h.h", 3, 9],
      ["warning", "/p/a.cc", 10, 5],
      ["note", "/p/a.cc", 2, 6],
    ]);
    expect(d[0]!.detail).toContain("In file included from /p/a.cc:1:");
    expect(d[0]!.detail).toContain("^");
    expect(d[1]!.message).toBe("unused variable 'x' [-Wunused-variable]");
  });
  it("parses gcc output: function context, fatal errors, tool-level errors, lines without columns", () => {
    const out = [
      "/p/a.c: In function 'broken':",
      "/p/a.c:4:13: error: expected expression before ';' token",
      "    4 |   return 1 +;",
      "/p/b.c:7: warning: old-style",
      "/p/c.c:1:10: fatal error: missing.h: No such file or directory",
      "compilation terminated.",
      "cc1plus: error: unrecognized command-line option '-fbogus'",
      "clang: error: no such file or directory: 'x.c'",
    ].join("\n");
    const d = parseDiagnostics(out);
    expect(d.map((x) => [x.severity, x.message])).toEqual([
      ["error", "expected expression before ';' token"],
      ["warning", "old-style"],
      ["error", "missing.h: No such file or directory"],
      ["error", "unrecognized command-line option '-fbogus'"],
      ["error", "no such file or directory: 'x.c'"],
    ]);
    expect(d[0]!.detail).toContain("In function 'broken'");
    expect(d[1]!.location).toEqual({ file: "/p/b.c", line: 7, column: 1 });
  });
  it("parses nvcc (EDG) diagnostics", () => {
    const d = parseDiagnostics('/p/k.cu(5): error: identifier "undefined_thing" is undefined\n\n1 error detected in the compilation of "/p/k.cu".');
    expect(d[0]).toMatchObject({ severity: "error", message: 'identifier "undefined_thing" is undefined', location: { file: "/p/k.cu", line: 5 } });
  });
});

describe("depfiles", () => {
  it("parses Make syntax with continuations, escaped spaces and $$", () => {
    const text = "/tmp/out.o: /p/src/a.cc /p/inc/a.h \\\n /p/my\\ dir/b.h /p/c$$.h \\\n inc/rel.h\n";
    expect(parseMakeDepfile(text, "/work")).toEqual(["/p/src/a.cc", "/p/inc/a.h", "/p/my dir/b.h", "/p/c$.h", "/work/inc/rel.h"]);
  });
  it("handles Windows drive letters in target and prerequisites", () => {
    // The target's drive colon is not the rule separator; prerequisites keep their drive letters.
    const deps = parseMakeDepfile("C:/c/out.o: C:/p/a.cc C:/p/a.h\n", "C:/p");
    expect(deps).toEqual(["C:/p/a.cc", "C:/p/a.h"]);
  });
  it("returns nothing for an empty or malformed file", () => {
    expect(parseMakeDepfile("")).toEqual([]);
    expect(parseMakeDepfile("garbage without separator")).toEqual([]);
  });
});
