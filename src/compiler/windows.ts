// Windows toolchain discovery as data: vswhere → VsDevCmd/vcvars → developer environment.
// The command lines are built here and unit-tested on any host; they only run on Windows.
import { win32 } from "node:path";

export interface CommandLine {
  file: string;
  args: string[];
  /** cmd.exe needs its /c argument passed verbatim (execa `windowsVerbatimArguments`). */
  verbatim?: boolean;
}

/** Where vswhere.exe lives (it is installed with every VS 2017+ edition). */
export function vswherePath(env: NodeJS.ProcessEnv): string {
  const pf = env["ProgramFiles(x86)"] ?? env.ProgramFiles ?? "C:\\Program Files (x86)";
  return win32.join(pf, "Microsoft Visual Studio", "Installer", "vswhere.exe");
}

/** vswhere query for the newest install that has the x64 C++ tools. */
export function vswhereCommand(env: NodeJS.ProcessEnv): CommandLine {
  return {
    file: vswherePath(env),
    args: ["-latest", "-products", "*", "-requires", "Microsoft.VisualStudio.Component.VC.Tools.x86.x64", "-property", "installationPath", "-utf8"],
  };
}

export type VsArch = "x64" | "x86" | "arm64";

/** Host arch in VsDevCmd/vcvars spelling. */
export function vsArch(nodeArch: string = process.arch): VsArch {
  return nodeArch === "arm64" ? "arm64" : nodeArch === "ia32" ? "x86" : "x64";
}

/**
 * The command that loads the developer environment and prints it (`set`).
 * `script` "vsdevcmd" uses Common7\Tools\VsDevCmd.bat -arch=…; "vcvars" uses VC\Auxiliary\Build\vcvars<arch>.bat.
 */
export function devEnvCommand(installPath: string, arch: VsArch = vsArch(), script: "vsdevcmd" | "vcvars" = "vsdevcmd", comspec = "cmd.exe"): CommandLine {
  const bat =
    script === "vsdevcmd"
      ? `"${win32.join(installPath, "Common7", "Tools", "VsDevCmd.bat")}" -arch=${arch} -host_arch=${arch} -no_logo`
      : `"${win32.join(installPath, "VC", "Auxiliary", "Build", arch === "x86" ? "vcvars32.bat" : arch === "arm64" ? "vcvarsarm64.bat" : "vcvars64.bat")}"`;
  return { file: comspec, args: ["/d", "/s", "/c", `"${bat} >nul && set"`], verbatim: true };
}

/** Parses `set` output (NAME=value per line) into an environment. */
export function parseSetOutput(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** The variables of a developer environment that matter to cl.exe. */
export function pickDevEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^(PATH|INCLUDE|LIB|LIBPATH|VCINSTALLDIR|VCToolsInstallDir|VCToolsVersion|WindowsSdkDir|WindowsSDKVersion|UCRTVersion|UniversalCRTSdkDir|VSINSTALLDIR|Platform)$/i.test(k)) out[k] = v;
  }
  return out;
}

/** Finds cl.exe in a developer environment's PATH (as data: the candidate paths in order). */
export function clCandidates(devEnv: Record<string, string>): string[] {
  const path = devEnv.PATH ?? devEnv.Path ?? "";
  return path
    .split(";")
    .filter(Boolean)
    .map((d) => win32.join(d, "cl.exe"));
}
