// The orcjit command line: commander wiring, error reporting and exit codes.
// Uses only the public API (src/index.ts), so the CLI dogfoods the library.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerBuild } from "./commands/build.js";
import { registerBuildAddon } from "./commands/build-addon.js";
import { registerCache } from "./commands/cache.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerInit } from "./commands/init.js";
import { registerRun } from "./commands/run.js";
import { registerTypes } from "./commands/types.js";
import { registerWatch } from "./commands/watch.js";
import { EXIT_OK, EXIT_USAGE, processStreams, reportError, UsageError, type Streams } from "./output.js";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function createProgram(s: Streams = processStreams): Command {
  const program = new Command("orcjit")
    .description("Build C/C++ libraries declared in orcjit.yaml, JIT-link them with LLVM ORC and call them through TVM-FFI")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (t) => s.out.write(t),
      writeErr: (t) => s.err.write(t),
    })
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 manifest/compile/link/call error, 2 usage error, 70 internal error.
Environment: ORCJIT_PROFILE (manifest profile), ORCJIT_CACHE_DIR (object cache), CI (plain progress output).`,
    );
  registerBuild(program, s);
  registerRun(program, s);
  registerWatch(program, s);
  registerDoctor(program, s);
  registerCache(program, s);
  registerInit(program, s);
  registerBuildAddon(program, s);
  registerTypes(program, s);
  // every (sub)command: throw instead of process.exit, and share the output streams
  const configure = (c: Command): void => {
    c.exitOverride();
    c.configureOutput({ writeOut: (t) => s.out.write(t), writeErr: (t) => s.err.write(t) });
    c.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: string[], s: Streams = processStreams): Promise<number> {
  const dashdash = argv.indexOf("--");
  const json = (dashdash < 0 ? argv : argv.slice(0, dashdash)).includes("--json");
  const program = createProgram(s);
  if (json) {
    // --json: commander's own messages (unknown option, missing argument, ...) become the
    // JSON error document below instead of text on stderr
    const quiet = (c: Command): void => {
      c.configureOutput({ writeOut: (t) => s.out.write(t), writeErr: () => undefined, outputError: () => undefined });
      c.showHelpAfterError(false);
      c.commands.forEach(quiet);
    };
    quiet(program);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error
      if (e.exitCode === 0) return EXIT_OK;
      if (json) reportError(new UsageError(e.message.replace(/^error: /, "")), s, true);
      return EXIT_USAGE;
    }
    return reportError(e, s, json);
  }
}
