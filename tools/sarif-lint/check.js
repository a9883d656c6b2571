// Reads the SARIF log the Multitool wrote about one input file and fails when
// it reports an error or a warning, or did not analyse the file at all.
'use strict';
const fs = require('fs');
const [out, input] = process.argv.slice(2);
const log = JSON.parse(fs.readFileSync(out, 'utf8'));
const run = (log.runs || [])[0];
if (!run) {
  console.error(`sarif-lint: ${input}: the validator wrote no run`);
  process.exit(1);
}
let bad = 0;
for (const inv of run.invocations || []) {
  for (const n of [...(inv.toolExecutionNotifications || []), ...(inv.toolConfigurationNotifications || [])]) {
    if (n.level === 'error' || n.level === undefined || n.level === 'warning') {
      console.error(`sarif-lint: ${input}: validator ${n.level || 'warning'}: ${(n.message && n.message.text) || JSON.stringify(n.message)}`);
      bad++;
    }
  }
  if (inv.executionSuccessful === false) {
    console.error(`sarif-lint: ${input}: validator run was not successful`);
    bad++;
  }
}
const text = (r) => {
  const rule = (run.tool.driver.rules || []).find((x) => x.id === r.ruleId) || {};
  const tmpl = rule.messageStrings && r.message.id && rule.messageStrings[r.message.id];
  let s = (tmpl && tmpl.text) || r.message.text || r.message.id || '';
  (r.message.arguments || []).forEach((a, i) => { s = s.split(`{${i}}`).join(a); });
  return s;
};
for (const r of run.results || []) {
  // SARIF's default level is "warning".
  const level = r.level || 'warning';
  const where = ((r.locations || [])[0] || {}).physicalLocation || {};
  const line = (where.region && where.region.startLine) || 0;
  const msg = `${input}:${line}: ${level} ${r.ruleId}: ${text(r)}`;
  if (level === 'error' || level === 'warning') {
    console.error(msg);
    bad++;
  }
}
if (bad > 0) {
  console.error(`sarif-lint: ${input}: ${bad} error(s)/warning(s)`);
  process.exit(1);
}
console.log(`sarif-lint: ${input}: OK (0 errors, 0 warnings)`);
