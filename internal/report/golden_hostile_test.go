package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// hostileGolden is a few of hostileStrings, enough to read the golden
// files by eye: raw HTML, a heading, backticks and a fence, table pipes,
// links and autolinks, terminal escapes, workflow commands, bidi controls.
var hostileGolden = []string{
	hostileStrings[0],  // <img onerror>
	hostileStrings[2],  // <details>
	hostileStrings[3],  // headings
	hostileStrings[5],  // backtick runs
	hostileStrings[6],  // pipes
	hostileStrings[8],  // [link](…) ![img](…)
	hostileStrings[9],  // autolinks
	hostileStrings[13], // OSC 8, CSI, OSC 52
	hostileStrings[14], // ::error::, ##[error], ##vso[
	hostileStrings[15], // bidi, separators, zero width
}

// TestGoldenHostile: what each format makes of hostile names, as files to
// review (regenerate with go test ./internal/report/... -update).
func TestGoldenHostile(t *testing.T) {
	r := hostileReport(hostileGolden)
	old := hostileReport(append(append([]string{}, hostileGolden[4:]...), hostileGolden[:4]...))
	d := Compare(old, r)
	for _, tc := range []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"hostile.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, r, RenderOptions{}) }},
		{"hostile.txt", func(b *bytes.Buffer) error { return WriteText(b, r, TextOptions{}) }},
		{"hostile-diff.md", func(b *bytes.Buffer) error { return WriteDiff(b, d, "markdown") }},
		{"hostile-diff.txt", func(b *bytes.Buffer) error { return WriteDiff(b, d, "text") }},
	} {
		var b bytes.Buffer
		if err := tc.render(&b); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join("testdata", "golden", tc.file)
		if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read golden (create it with: go test ./internal/report/... -update): %v", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from the golden file; regenerate with -update and review the diff", tc.file)
		}
	}
}
