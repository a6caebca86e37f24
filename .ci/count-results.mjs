// Sums vitest's JSON reports of every package into one line: "N passed, N failed", after naming
// each failed test with the first lines of its failure (CI keeps only the tail of the output, so
// the failures must be printed last to be seen).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
const failures = [];
for (const root of ['packages', 'examples']) {
  if (!existsSync(root)) continue;
  for (const entry of readdirSync(root)) {
    for (const name of ['.vitest-results.json', '.vitest-reliability.json']) {
      const report = path.join(root, entry, name);
      if (!existsSync(report)) continue;
      const { numPassedTests = 0, numFailedTests = 0, testResults = [] } = JSON.parse(readFileSync(report, 'utf8'));
      passed += numPassedTests;
      failed += numFailedTests;
      for (const file of testResults) {
        for (const test of file.assertionResults ?? []) {
          if (test.status !== 'failed') continue;
          const message = (test.failureMessages ?? []).join('\n').split('\n').slice(0, 6).join('\n    ');
          failures.push(`FAILED ${path.relative(process.cwd(), file.name)} > ${test.fullName}\n    ${message}`);
        }
        if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
          failures.push(`FAILED ${path.relative(process.cwd(), file.name)}: ${String(file.message ?? '').split('\n')[0]}`);
        }
      }
    }
  }
}
for (const failure of failures) console.log(failure);
console.log(`${passed} passed, ${failed} failed`);
