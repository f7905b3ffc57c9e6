// Fresh-process figures: warm/cold loadInline, orcjit build parallelism, hot reload, RSS.
export const processFigures = [];
