// Parses each file named on the command line with HashiCorp's HCL parser (npm
// @cdktf/hcl2json: hashicorp/hcl compiled to wasm) and prints {"<file>": <parsed>, ...} as JSON.
// Exits 1 with the parser's message when a file does not parse. Used by tests/renderers.rs.
"use strict";
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      out[file] = await parse(file, fs.readFileSync(file, "utf8"));
    } catch (e) {
      process.stderr.write(`${file}: ${e && e.message ? e.message : e}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
