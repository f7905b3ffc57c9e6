import { COMPILERS } from "../helpers/fixtures.js";
import { objectTests } from "./objects.shared.js";

objectTests(COMPILERS.find((c) => c.id === "gcc")!);
