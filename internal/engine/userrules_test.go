package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/internal/safefile"
)

const plantedToken = "ghs_plantedGitToken0123456789"

// A rule file that is valid Rego, for the cases that must load.
const okRule = `package natsaudit.rules.myteam

import data.natsaudit.lib

# METADATA
# title: A team rule
# description: Fires never.
# custom:
#   id: MYTEAM-001
#   severity: low
#   category: operations
#   sources: [config]
#   remediation: none
deny contains f if {
	some s in lib.configured_servers
	s.name == "never-a-server-name"
	f := lib.finding(rego.metadata.rule(), s, "", "never")
}
`

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestUserRuleFilesStayInTheTree: `--rules DIR` reads only regular files
// inside DIR, and a DIR given inside the scanned tree must stay inside it
// (issue 11, item 2): a pull request's policies/env.rego ->
// /proc/self/environ printed the CI job's environment in the parse error.
func TestUserRuleFilesStayInTheTree(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, ".git-credentials"), "https://x-access-token:"+plantedToken+"@github.com\n")
	writeFile(t, filepath.Join(outside, "policies", "stolen.rego"), "package natsaudit.rules.stolen\n\n"+plantedToken+" :=\n")
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, repo string) (dir string)
		want  string // "" when the rules load
	}{
		{"link to /proc/self/environ", func(t *testing.T, repo string) string {
			symlink(t, "/proc/self/environ", filepath.Join(repo, "policies", "env.rego"))
			return filepath.Join(repo, "policies")
		}, "env.rego: a symbolic link out of the rules directory; not read"},
		{"link to a credentials file", func(t *testing.T, repo string) string {
			symlink(t, filepath.Join(outside, ".git-credentials"), filepath.Join(repo, "policies", "creds.rego"))
			return filepath.Join(repo, "policies")
		}, "creds.rego: a symbolic link out of the rules directory; not read"},
		{"relative link climbing out", func(t *testing.T, repo string) string {
			rel, _ := filepath.Rel(filepath.Join(repo, "policies"), filepath.Join(outside, ".git-credentials"))
			symlink(t, rel, filepath.Join(repo, "policies", "creds.rego"))
			return filepath.Join(repo, "policies")
		}, "creds.rego: a symbolic link out of the rules directory; not read"},
		{"rules directory linked out of the tree", func(t *testing.T, repo string) string {
			symlink(t, filepath.Join(outside, "policies"), filepath.Join(repo, "policies"))
			return filepath.Join(repo, "policies")
		}, "policies: is a symbolic link out of the scanned tree; not read"},
		{"FIFO", func(t *testing.T, repo string) string {
			writeFile(t, filepath.Join(repo, "policies", "ok.rego"), okRule)
			if err := syscall.Mkfifo(filepath.Join(repo, "policies", "pipe.rego"), 0o644); err != nil {
				t.Skip("mkfifo:", err)
			}
			return filepath.Join(repo, "policies")
		}, "pipe.rego: not a regular file (a FIFO, device or socket); not read"},
		{"rules under .git are not read", func(t *testing.T, repo string) string {
			writeFile(t, filepath.Join(repo, "policies", "ok.rego"), okRule)
			writeFile(t, filepath.Join(repo, "policies", ".git", "hooks.rego"), "not rego "+plantedToken)
			return filepath.Join(repo, "policies")
		}, ""},
		{"link inside the rules directory", func(t *testing.T, repo string) string {
			writeFile(t, filepath.Join(repo, "policies", "src", "team.txt"), okRule)
			symlink(t, "src/team.txt", filepath.Join(repo, "policies", "team.rego"))
			return filepath.Join(repo, "policies")
		}, ""},
		{"rules directory linked inside the tree", func(t *testing.T, repo string) string {
			writeFile(t, filepath.Join(repo, "ci", "policies", "team.rego"), okRule)
			symlink(t, "ci/policies", filepath.Join(repo, "policies"))
			return filepath.Join(repo, "policies")
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			dir := tc.setup(t, repo)
			_, err := New(context.Background(), Options{RuleDirs: []string{dir}, Guard: safefile.NewGuard(repo), CatalogOnly: true})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v, want the rules loaded", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), plantedToken) || strings.Contains(err.Error(), "PATH=")) {
				t.Errorf("the error quotes the linked file: %v", err)
			}
		})
	}
}

// TestParseErrorsQuoteOnlyAShortScrubbedSnippet: a rule file that does not
// parse is named with its line and a short snippet, never its content
// (issue 11, item 2).
func TestParseErrorsQuoteOnlyAShortScrubbedSnippet(t *testing.T) {
	long := strings.Repeat("x", 500)
	for _, tc := range []struct {
		name, src string
		want      []string
		never     []string
	}{
		{"environment-like binary", "A=1\x00SECRET_TOKEN=" + plantedToken + "\x00PATH=/bin\x00\n",
			[]string{"bad.rego:1: rego_parse_error: illegal null character"}, []string{plantedToken, "PATH=", "SECRET_TOKEN"}},
		{"credentials URL", "https://x-access-token:" + plantedToken + "@github.com\n",
			[]string{"bad.rego:1: rego_parse_error: unexpected : token", `(near "https:/`}, []string{plantedToken, "x-access-token"}},
		{"secret key outside the snippet, value inside", "package natsaudit.rules.bad\n\npassword := \"" + plantedToken + "\" + \n",
			[]string{"bad.rego:4: rego_parse_error", `near "...`, `\"****\"`}, []string{plantedToken, "ghs_", "0123456789"}},
		{"long line", "package natsaudit.rules.bad\n\nx := " + long + " +\n",
			[]string{"bad.rego:4: rego_parse_error"}, []string{strings.Repeat("x", 40)}},
		{"string literal", "package natsaudit.rules.bad\n\nx := {\"k\": \"" + plantedToken + "\"\n",
			[]string{"bad.rego:4: rego_parse_error"}, []string{plantedToken, "ghs_"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "bad.rego"), tc.src)
			_, err := New(context.Background(), Options{RuleDirs: []string{dir}, CatalogOnly: true})
			if err == nil {
				t.Fatal("parsed")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q, want %q", msg, w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(msg, n) {
					t.Errorf("error %q quotes %q", msg, n)
				}
			}
			if len(msg) > 1000 || strings.ContainsAny(msg, "\x00\t") {
				t.Errorf("error of %d bytes, or with control characters: %q", len(msg), msg)
			}
		})
	}
}

// TestUserRulesHaveTheirOwnNamespace: a user file cannot join, contain or
// extend a built-in package (issue 11, item 8: a file in package
// natsaudit.rules.credentials that redefined a helper silently dropped
// NATS-CRED-001 findings).
func TestUserRulesHaveTheirOwnNamespace(t *testing.T) {
	for _, tc := range []struct {
		name, file, src, want string
	}{
		{"helper override in a built-in package", "creds.rego",
			"package natsaudit.rules.credentials\n\n_is_key(facts) if false\n_url_with_credentials(v) if false\n",
			"package natsaudit.rules.credentials is the built-in package natsaudit.rules.credentials: custom rules cannot join, replace or extend built-in rules and helpers"},
		{"the library", "lib.rego", "package natsaudit.lib\n\nconfigured_servers := []\n",
			"package natsaudit.lib is the built-in package natsaudit.lib"},
		{"a parent of the built-in packages", "rules.rego", "package natsaudit.rules\n\ncredentials := {}\n",
			"package natsaudit.rules contains the built-in package natsaudit.rules.access:"},
		{"a parent of the library packages", "nats.rego", "package natsaudit\n\nx := 1\n",
			"package natsaudit contains the built-in package natsaudit.lib:"},
		{"a library package", "exposure.rego", "package natsaudit.lib.exposure\n\npublic(_) := false\n",
			"package natsaudit.lib.exposure is the built-in package natsaudit.lib.exposure"},
		{"inside a built-in package", "deep.rego", "package natsaudit.rules.tls.extra\n\nx := 1\n",
			"package natsaudit.rules.tls.extra is inside the built-in package natsaudit.rules.tls"},
		{"the parameters", "params.rego", "package natsaudit.params.credentials\n\nmin_length := 0\n",
			"package natsaudit.params.credentials must be under natsaudit.rules"},
		{"a built-in test package", "creds_test.rego", "package natsaudit.rules.credentials_test\n\ntest_x if true\n",
			"is the built-in package natsaudit.rules.credentials_test"},
		{"the library from a test file", "lib_test.rego", "package natsaudit.lib\n\ntest_x if true\n",
			"is the built-in package natsaudit.lib"},
		{"a package of its own", "team.rego", okRule, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, tc.file), tc.src)
			_, err := New(context.Background(), Options{RuleDirs: []string{dir}, IncludeTests: true, CatalogOnly: true})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v, want the rules loaded", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// rangeRule allocates without bound (issue 11, item 11).
const rangeRule = `package natsaudit.rules.big_range

import data.natsaudit.lib

# METADATA
# title: Counts to 400 million
# description: A rule that allocates without bound.
# custom:
#   id: BIG-001
#   severity: low
#   category: operations
#   sources: [config]
#   remediation: none
deny contains f if {
	count(numbers.range(1, 4e8)) > 1
	f := lib.finding(rego.metadata.rule(), {}, "", "counted")
}
`

// TestEvaluationIsBounded: a rule that allocates without bound is stopped
// by the heap budget, or by the timeout, with an error that names its
// package and file.
func TestEvaluationIsBounded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "range.rego"), rangeRule)
	in := ast.MustParseTerm(`{"servers": [], "streams": [], "env_files": []}`).Value
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"heap", Options{MaxHeap: 128 << 20}, "rule evaluation stopped: heap over 128 MiB"},
		{"timeout", Options{EvalTimeout: 300 * time.Millisecond, MaxHeap: 4 << 30}, "rule evaluation stopped: still running after 300ms (--timeout)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.RuleDirs = []string{dir}
			eng, err := New(context.Background(), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			// The budget counts the process's heap, unswept garbage
			// included: collect what earlier tests in this binary left
			// (the precompiled-catalog tests build several compilers), so
			// that the built-in packages do not reach 128 MiB first.
			runtime.GC()
			start := time.Now()
			_, err = eng.Eval(context.Background(), in)
			named := "package natsaudit.rules.big_range (" + ModuleName(filepath.Join(dir, "range.rego")) + ")"
			if err != nil && tc.name == "timeout" && !strings.Contains(err.Error(), named) {
				// Eval returns the first package that failed; on a machine
				// loaded enough that a built-in package also outlived the
				// 300ms, that one comes first. The slow rule's own error
				// must still be among the failed packages, naming it.
				res, ierr := eng.EvalIsolated(context.Background(), in)
				if ierr != nil {
					t.Fatalf("EvalIsolated: %v", ierr)
				}
				for _, f := range res.Failed {
					if f.Package == "natsaudit.rules.big_range" {
						err = f.err
					}
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), named) {
				t.Fatalf("err = %v, want %q naming the rule's package and file", err, tc.want)
			}
			var he *HeapError
			if tc.name == "heap" && !errors.As(err, &he) {
				t.Errorf("err = %v, not a *HeapError", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("stopped after %s", d)
			}
		})
	}
}

// TestInputTypoIsACompileError: a rule that reads a field the input does
// not have (input.servrs, a server's deployment.flagz) fails to load with
// the fields there are, instead of never firing.
func TestInputTypoIsACompileError(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"some s in input.servrs\n\ts.name", `undefined ref: input.servrs`},
		{"some s in input.servers\n\ts.deployment.flagz.user", `undefined ref: s.deployment.flagz`},
		{"some s in input.servers\n\ts.config.any_key_at_all\n\ts.live.varz.whatever", ""},
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "typo.rego"), `package natsaudit.rules.typo

import data.natsaudit.lib

# METADATA
# title: Typo
# description: A rule with a typo in an input path.
# custom:
#   id: TYPO-001
#   severity: low
#   category: operations
#   sources: [config]
#   remediation: none
deny contains f if {
	`+tc.body+`
	f := lib.finding(rego.metadata.rule(), {}, "", "x")
}
`)
		_, err := New(context.Background(), Options{RuleDirs: []string{dir}})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: free-form documents must accept any key: %v", tc.body, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "typo.rego")):
			t.Errorf("%q: err = %v, want %q at typo.rego", tc.body, err, tc.want)
		}
	}
}

// TestRuleFacets: custom.facets is read as given; a 0.1 rule's
// custom.sources (input kinds) is translated to facets; a name that is
// neither fails to load, naming the facets there are.
func TestRuleFacets(t *testing.T) {
	for _, tc := range []struct{ meta, want, err string }{
		{"facets: [deployment, config]", "config,deployment", ""},
		{"sources: [config, compose, kubernetes]", "config,deployment,deployment.kubernetes", ""},
		{"sources: [helm, context]", "credentials,deployment.kubernetes", ""},
		{"facets: [compose]", "", "unknown facet compose"},
		{"sources: [dockerfile]", "", "unknown facet dockerfile"},
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "f.rego"), `package natsaudit.rules.facet

import data.natsaudit.lib

# METADATA
# title: Facet
# description: d
# custom:
#   id: FACET-001
#   severity: low
#   category: operations
#   `+tc.meta+`
#   remediation: none
deny contains f if {
	false
	f := lib.finding(rego.metadata.rule(), {}, "", "x")
}
`)
		eng, err := New(context.Background(), Options{RuleDirs: []string{dir}, CatalogOnly: true})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "deployment.kubernetes") {
				t.Errorf("%s: err = %v, want %q with the list of facets", tc.meta, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.meta, err)
		}
		r, _ := eng.Rule("FACET-001")
		if got := strings.Join(r.Facets, ","); got != tc.want {
			t.Errorf("%s: facets %q, want %q", tc.meta, got, tc.want)
		}
	}
}

// TestRuleFixKind: custom.fix_kind is read as given (a custom rule may
// declare that its fix is the same change as a built-in rule's); a name
// that is not a lower-case identifier fails to load.
func TestRuleFixKind(t *testing.T) {
	for _, tc := range []struct{ meta, want, err string }{
		{"fix_kind: nats_version", "nats_version", ""},
		{"severity_varies: never", "", ""},
		{"fix_kind: Upgrade NATS", "", "custom.fix_kind"},
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "f.rego"), `package natsaudit.rules.fixkind

import data.natsaudit.lib

# METADATA
# title: Fix kind
# description: d
# custom:
#   id: FIX-001
#   severity: low
#   category: operations
#   facets: [config]
#   `+tc.meta+`
#   remediation: none
deny contains f if {
	false
	f := lib.finding(rego.metadata.rule(), {}, "", "x")
}
`)
		eng, err := New(context.Background(), Options{RuleDirs: []string{dir}, CatalogOnly: true})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.meta, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.meta, err)
		}
		r, ok := eng.Rule("FIX-001")
		if !ok || r.FixKind != tc.want {
			t.Errorf("%s: fix kind %q, want %q", tc.meta, r.FixKind, tc.want)
		}
	}
}
