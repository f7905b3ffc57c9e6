export { loadModule, Module, type LoadModuleOptions, type ModuleInput, type GetFunctionOptions, type LoadedModule as LoadedFFIModule } from "./load-module.js";
