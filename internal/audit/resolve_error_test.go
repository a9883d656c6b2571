package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestWholeFileErrorHasNoSnippet: a parse error about the whole file (a
// config nested too deep to parse, reported at line 0) is located at line
// 1 but quotes nothing: line 1 is no evidence of it (kills resolve's `idx <
// len(inv.Errors)` negated in the line-0 check, seed-4 survivor).
func TestWholeFileErrorHasNoSnippet(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deep := "port: 4222\n" + strings.Repeat("a {\n", 70) + strings.Repeat("}\n", 70)
	dir := writeTree(t, map[string]string{"nats.conf": deep})
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Report.Findings {
		if f.Location == nil || f.Location.File != "nats.conf" || !strings.Contains(f.Message, "nested") {
			continue
		}
		found = true
		if f.Location.Line != 1 || f.Snippet != "" {
			t.Errorf("%s at line %d quotes %q, want line 1 and no snippet", f.RuleID, f.Location.Line, f.Snippet)
		}
	}
	if !found {
		for _, f := range res.Report.Findings {
			t.Logf("%s %+v %q", f.RuleID, f.Location, f.Message)
		}
		t.Error("no finding about the nesting of nats.conf")
	}
}

// TestBinaryConfigLine: a nats.conf whose first line is thousands of
// UTF-8 continuation bytes (hostile or corrupt input) is reported, and
// quoting it neither crashes the audit nor prints its bytes.
func TestBinaryConfigLine(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{"nats.conf": strings.Repeat("\x80", 5000) + "\nport: 4222\n"})
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range res.Report.Findings {
		if f.Location != nil && f.Location.File == "nats.conf" {
			n++
			if strings.Contains(f.Snippet, "\x80") {
				t.Errorf("%s quotes the file's bytes: %q", f.RuleID, f.Snippet)
			}
		}
	}
	if n == 0 {
		t.Error("no finding about nats.conf")
	}
}
