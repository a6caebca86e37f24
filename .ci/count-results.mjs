// Sums vitest's JSON reports of every package into one line: "N passed, N failed".
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
for (const root of ['packages', 'examples']) {
  if (!existsSync(root)) continue;
  for (const entry of readdirSync(root)) {
    for (const name of ['.vitest-results.json', '.vitest-reliability.json']) {
      const report = path.join(root, entry, name);
      if (!existsSync(report)) continue;
      const { numPassedTests = 0, numFailedTests = 0 } = JSON.parse(readFileSync(report, 'utf8'));
      passed += numPassedTests;
      failed += numFailedTests;
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
