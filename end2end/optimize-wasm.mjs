// wasm-opt -Oz over many modules in one process, for `cargo xtask site` (xtask/src/site.rs).
// npm's binaryen is wasm-opt compiled to JavaScript: started as a command it takes ~1.4 s a
// module before any work, which made 161 s of the site's 121 modules. Loaded once, the library
// runs the same pipeline: optimize level 2 and shrink level 2 (what -Oz sets), the default
// passes, no names section (wasm-opt drops it without -g), and the features the command is
// given (bulk memory, non-trapping float-to-int) on top of binaryen's defaults.
// Usage: node optimize-wasm.mjs FILE.wasm… (each rewritten in place).
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
binaryen.setDebugInfo(false);
const features = binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt;
for (const file of process.argv.slice(2)) {
  const module = binaryen.readBinary(readFileSync(file));
  module.setFeatures(module.getFeatures() | features);
  module.optimize();
  if (!module.validate()) {
    console.error(`${file}: binaryen's output does not validate`);
    process.exit(1);
  }
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
