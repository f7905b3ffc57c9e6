export { loadModule, Module, type LoadModuleOptions, type LoadedModule as LoadedFFIModule } from "./load-module.js";
