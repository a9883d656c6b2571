package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var digestRe = regexp.MustCompile(`SHA-256 ([0-9a-f]{64}) of every line above this one|"report_sha256": "([0-9a-f]{64})"`)

// givenDigest is the digest a report file gives for itself.
func givenDigest(t *testing.T, b []byte) string {
	t.Helper()
	var m []string
	if bytes.HasSuffix(b, []byte("}\n")) {
		m = digestRe.FindStringSubmatch(string(b[bytes.LastIndex(b, []byte(`  "report_sha256"`)):]))
	} else {
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		m = digestRe.FindStringSubmatch(lines[len(lines)-1])
	}
	if m == nil {
		t.Fatal("the report gives no digest of itself where it should")
	}
	return m[1] + m[2]
}

// TestReportDigestCommands: the commands docs/reports.md gives to check a
// report's digest (its "The report's digest" code block, run as written
// with the file names replaced) print the digest that each golden Markdown,
// HTML and JSON report gives; the same checks in Go (so that they run
// where there is no sha256sum); and a report changed by one byte no longer
// verifies.
func TestReportDigestCommands(t *testing.T) {
	doc, err := os.ReadFile("../../docs/reports.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(doc)
	i := strings.Index(sec, "### The report's digest")
	if i < 0 {
		t.Fatal("docs/reports.md has no section on the report's digest")
	}
	sec = sec[i:]
	block := sec[strings.Index(sec, "```sh\n")+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	cmds := map[string]string{} // extension -> command
	for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
		for _, ext := range []string{".md", ".html", ".json"} {
			if strings.Contains(l, " report"+ext+" ") {
				cmds[ext] = l
			}
		}
	}
	if len(cmds) != 3 {
		t.Fatalf("the documented commands %q do not cover Markdown, HTML and JSON", block)
	}
	_, errSum := exec.LookPath("sha256sum")
	_, errSed := exec.LookPath("sed")
	for _, name := range []string{"sahool.md", "sahool-previous.md", "rich.md", "hostile.md", "sahool.html", "sahool-previous.html", "live.html", "sahool.json", "live.json", "kubernetes.json"} {
		path := filepath.Join("testdata", "golden", name)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := givenDigest(t, b)
		ext := filepath.Ext(name)
		// In Go: the bytes the documented command hashes.
		var body []byte
		if ext == ".json" {
			body = regexp.MustCompile(`(?m)^  "report_sha256": "[0-9a-f]*"$`).ReplaceAll(b, []byte(`  "report_sha256": ""`))
		} else {
			body = b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1]
		}
		if h := sha256.Sum256(body); hex.EncodeToString(h[:]) != want {
			t.Errorf("%s: the SHA-256 of what the check hashes is %x, the report gives %s", name, h, want)
		}
		tampered := bytes.Replace(b, []byte("NATS"), []byte("NATs"), 1)
		if h := sha256.Sum256(tampered[:bytes.LastIndexByte(tampered[:len(tampered)-1], '\n')+1]); ext != ".json" && hex.EncodeToString(h[:]) == want {
			t.Errorf("%s: a changed report still verifies", name)
		}
		if errSum != nil || errSed != nil {
			continue
		}
		abs, _ := filepath.Abs(path)
		cmd := strings.Replace(cmds[ext], "report"+ext, "'"+abs+"'", 1)
		out, err := exec.Command("sh", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %s: %v", name, cmd, err)
		}
		if got := strings.Fields(string(out)); len(got) == 0 || got[0] != want {
			t.Errorf("%s: %s prints %q, the report gives %s", name, cmd, out, want)
		}
	}
	if errSum != nil || errSed != nil {
		t.Log("sha256sum or sed not found: checked in Go only")
	}
}
