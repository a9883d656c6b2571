package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// TestDemoPackage runs every mutant of testdata/rules/demo.rego, whose
// tests pin the TLS condition but neither the port bound nor the type guard.
func TestDemoPackage(t *testing.T) {
	cat, err := LoadCatalog(os.DirFS("testdata/rules"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	file := "rules/demo.rego"
	r := &Runner{Store: inmem.New(), Timeout: 10 * time.Second}
	got := map[string]Outcome{}
	for _, m := range Mutants(file, cat.Src[file], cat.Mods[file]) {
		o, _, err := r.Run(context.Background(), cat.Set(file), file, m.Apply(cat.Src[file]))
		if err != nil {
			t.Fatal(err)
		}
		got[m.Desc] = o
	}
	want := map[string]Outcome{
		"delete is_number(s.port)": Survived,
		"not is_number(s.port)":    Killed,
		"delete s.port < 1024":     Survived,
		"not s.port < 1024":        Killed,
		"< -> <= in s.port < 1024": Survived,
		"delete not s.tls":         Killed,
		"not s.tls -> s.tls":       Killed,
		`delete msg := sprintf("%s listens on a low port without TLS", [s.name])`: Invalid,
	}
	for d, o := range want {
		if got[d] != o {
			t.Errorf("%s: got %v, want %v", d, got[d], o)
		}
	}
	if len(got) != len(want) {
		t.Errorf("mutants: got %v, want the %d of %v", got, len(want), want)
	}
}

func TestMutantsKeepLines(t *testing.T) {
	cat, err := LoadCatalog(os.DirFS("testdata/rules"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	file := "rules/demo.rego"
	src := cat.Src[file]
	for _, m := range Mutants(file, src, cat.Mods[file]) {
		line := strings.Split(src, "\n")[m.Line-1]
		if m.Start < len(src) && !strings.Contains(line, strings.TrimSpace(src[m.Start:min(m.End, m.Start+5)])) && m.Op != "negate" {
			t.Errorf("%s: line %d %q does not hold the change", m.Desc, m.Line, line)
		}
		if strings.Count(m.Apply(src), "\n") != strings.Count(src, "\n") {
			t.Errorf("%s: the mutant moves lines", m.Desc)
		}
	}
}

func TestAllowList(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, err string }{
		{"# comment\n\nops.rego:12 a type guard: the value is always a string\n", ""},
		{"ops.rego:12\n", "has no reason"},
		{"ops.rego 12 reason\n", "want `file.rego:line reason`"},
		{"ops.rego:12 a\nops.rego:12 b\n", "listed twice"},
	} {
		p := filepath.Join(dir, "allow.txt")
		if err := os.WriteFile(p, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		a, err := readAllow(p)
		if c.err == "" {
			if err != nil || a["ops.rego:12"] != "a type guard: the value is always a string" {
				t.Errorf("%q: %v %v", c.text, a, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: got %v, want an error with %q", c.text, err, c.err)
		}
	}
}

// TestReport: allowed survivors are listed with their reason and leave the
// score; the rest count; -min-score fails the run.
func TestReport(t *testing.T) {
	mk := func(line int, o Outcome) result {
		return result{m: Mutant{File: "rules/ops.rego", Line: line, Desc: "delete x"}, o: o}
	}
	res := []result{mk(1, Killed), mk(2, Killed), mk(3, Killed), mk(4, Survived), mk(5, Survived), mk(6, Invalid), mk(7, Killed)}
	allow := Allow{"ops.rego:5": "type guard", "ops.rego:7": "was redundant once"}
	var b bytes.Buffer
	if ok := report(&b, options{minScore: 85}, res, allow, len(res), 0); ok {
		t.Errorf("80%% passed -min-score 85:\n%s", b.String())
	}
	out := b.String()
	for _, s := range []string{
		"rules/ops.rego:4: SURVIVED: delete x",
		"rules/ops.rego:5: allowed (type guard): delete x",
		"rules/ops.rego:7: stale allow-list entry",
		"7 of 7 mutants run, 6 compiled: 4 killed (0 by timeout), 1 survived, 1 allowed; 1 did not compile",
		"score 80.0%",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

func TestReportPerFile(t *testing.T) {
	res := []result{
		{m: Mutant{File: "rules/ops.rego", Line: 1, Desc: "delete x"}, o: Killed},
		{m: Mutant{File: "rules/ops.rego", Line: 2, Desc: "delete y"}, o: Survived},
		{m: Mutant{File: "rules/tls.rego", Line: 3, Desc: "delete z"}, o: TimedOut},
		{m: Mutant{File: "rules/tls.rego", Line: 4, Desc: "delete w"}, o: Survived},
	}
	var b bytes.Buffer
	report(&b, options{}, res, Allow{"tls.rego:4": "guard"}, len(res), 0)
	for _, s := range []string{
		"regomut: rules/ops.rego: 1 killed, 1 survived, 0 allowed: 50.0%\n",
		"regomut: rules/tls.rego: 1 killed, 0 survived, 1 allowed: 100.0%\n",
		"score 66.7%",
	} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, b.String())
		}
	}
}
