// orcjit watch [manifest] [--run lib.fn args...]
// INTERIM: src/watch (issue 6) has not landed; this registers the command and its options so
// `orcjit --help` is complete. The watch engineer replaces the action with a watchProject() call.
import type { Command } from "commander";
import { OrcJitError } from "../../index.js";
import type { Streams } from "../output.js";
import { addProjectOptions } from "./common.js";

export function registerWatch(program: Command, _s: Streams): void {
  addProjectOptions(
    program
      .command("watch")
      .description("build, load, and rebuild + hot-reload on every change to the manifest, a source or a header")
      .argument("[manifest]", "orcjit.yaml, or a directory holding one", ".")
      .option("--run <target> [args...]", "call library.function with JSON args after each successful reload"),
  ).action(() => {
    throw new OrcJitError("ORCJIT_NOT_IMPLEMENTED", "orcjit watch needs src/watch (issue 6), which has not landed yet");
  });
}
