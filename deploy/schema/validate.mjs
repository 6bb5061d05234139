// Validates every object of a rendered manifest against the Kubernetes OpenAPI schema that kubernetes-models
// generates (types, required fields, enums). It does not reject unknown fields; validate_manifests.py checks the
// fields this project relies on by name. Usage: node validate.mjs <rendered.yaml>
import { readFileSync } from "node:fs";
import { loadAll } from "js-yaml";

let failures = 0;
for (const object of loadAll(readFileSync(process.argv[2], "utf8")).filter(Boolean)) {
  const group = object.apiVersion.includes("/") ? object.apiVersion : "v1";
  const name = `${object.kind}/${object.metadata?.name}`;
  try {
    const models = await import(`kubernetes-models/${group}/${object.kind}`);
    new models[object.kind](object).validate();
    console.log(`  ok   ${object.apiVersion} ${name}`);
  } catch (error) {
    failures++;
    console.log(`  FAIL ${object.apiVersion} ${name}: ${error.message}`);
  }
}
console.log(`k8s schema: ${failures} problem(s)`);
process.exit(failures === 0 ? 0 : 1);
