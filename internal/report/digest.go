package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// A report's own digest (docs/reports.md, "The report's digest"): the
// Markdown and HTML reports end with a line that gives the SHA-256 of every
// byte before it, so that an auditor checks a copy with
//
//	sed '$d' report.md | sha256sum      # or: head -n -1 report.md | sha256sum
//
// and the JSON report carries report_sha256, the SHA-256 of the report as
// written with that field empty ("report_sha256": ""), which
//
//	sed 's/^  "report_sha256": "[0-9a-f]*"$/  "report_sha256": ""/' report.json | sha256sum
//
// reproduces. A digest proves that the file is the one natsaudit wrote (or
// that nobody changed it without recomputing the digest): it is a checksum
// to compare with the one recorded elsewhere (a CI log, an archive's
// index), not a signature.

// sha256Hex is the SHA-256 of s in lower-case hex.
func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// mdDigestLine is the last line of a Markdown report whose every line
// above it is body.
func mdDigestLine(body string) string {
	return fmt.Sprintf("Report digest: SHA-256 %s of every line above this one (`sed '$d' report.md | sha256sum`).\n", sha256Hex([]byte(body)))
}

// mdDigestLen is the length of the digest line, the same for every body.
var mdDigestLen = len(mdDigestLine("")) + 1 // and the blank line before it

// htmlDigestLine is the last line of an HTML report: a comment after
// </html>, which browsers keep out of the page.
func htmlDigestLine(body []byte) string {
	return fmt.Sprintf("<!-- Report digest: SHA-256 %s of every line above this one (sed '$d' report.html | sha256sum). -->\n", sha256Hex(body))
}

// jsonDigestField is how the digest field is written in a JSON report:
// the last member of the top-level object, on its own line.
const jsonDigestField = `  "report_sha256": "`

// sealJSON sets the digest in a JSON report written with the field
// empty: the SHA-256 of those bytes.
func sealJSON(b []byte) ([]byte, error) {
	empty := []byte(jsonDigestField + `"` + "\n}\n")
	if !bytes.HasSuffix(b, empty) {
		return nil, fmt.Errorf("JSON report: report_sha256 is not its last member")
	}
	sum := sha256Hex(b)
	out := append([]byte{}, b[:len(b)-len(empty)]...)
	return append(out, jsonDigestField+sum+"\"\n}\n"...), nil
}
