// Validates an AsyncAPI document with the official parser (@asyncapi/parser, pinned in package-lock.json): the
// document against its specification, every $ref resolved (the payload schemas under schemas/ too), and the
// parser's rule set. Prints each diagnostic; exits 1 on any error.
import { resolve } from 'node:path';
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs <asyncapi document>');
  process.exit(2);
}
const { document, diagnostics } = await fromFile(new Parser(), resolve(file)).parse();
const severities = ['error', 'warning', 'info', 'hint'];
for (const d of diagnostics) {
  console.log(`${severities[d.severity]} ${d.code} ${d.path.join('.')}: ${d.message}`);
}
const errors = diagnostics.filter(d => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length > 0) {
  console.log(`${file}: INVALID (${errors.length} error(s))`);
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()}, ${document.channels().length} channels, `
  + `${document.operations().length} operations, ${document.messages().length} messages`);
