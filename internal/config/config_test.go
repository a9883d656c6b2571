package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/safefile"
)

const good = `# natsaudit settings
version: 1
params:
  streams:
    usage_high: 0.95
    r1_allowed_patterns: ["^SCRATCH_"]
  cluster:
    min_size: 3
disabled: [NATS-JS-006]
exceptions:
  - rule: nats-tls-002
    path: ./config/**/*.conf
    target: nats-*
    reason: "migration to TLS-only, ticket SEC-42"
    expires: 2027-03-31
  - rule: NATS-OPS-001
    reason: staging
`

var catalog = Catalog{
	Rules: map[string]bool{"NATS-TLS-002": true, "NATS-OPS-001": true, "NATS-JS-006": true, "NATS-AUTH-001": true},
	Params: map[string]any{
		"streams": map[string]any{"usage_high": json.Number("0.9"), "r1_allowed_patterns": []any{}, "dlq_name_pattern": "x"},
		"cluster": map[string]any{"min_size": json.Number("3")},
	},
}

func TestParseGood(t *testing.T) {
	c, err := Parse([]byte(good), ".natsaudit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(catalog); err != nil {
		t.Fatal(err)
	}
	if len(c.Exceptions) != 2 {
		t.Fatalf("exceptions = %+v", c.Exceptions)
	}
	e := c.Exceptions[0]
	if e.Rule != "NATS-TLS-002" || e.Path != "config/**/*.conf" || e.Target != "nats-*" || e.Expires != "2027-03-31" || e.Source != ".natsaudit.yaml:11" || !strings.Contains(e.Reason, "SEC-42") {
		t.Errorf("exception = %+v", e)
	}
	streams := c.Params["streams"].(map[string]any)
	if streams["usage_high"] != json.Number("0.95") {
		t.Errorf("usage_high = %#v (want a json.Number, like the built-in parameters)", streams["usage_high"])
	}
	if c.Params["cluster"].(map[string]any)["min_size"] != json.Number("3") {
		t.Errorf("min_size = %#v", c.Params["cluster"])
	}
	off := c.DisabledSet([]string{"NATS-TLS-002", "NATS-JS-006"})
	if !off["NATS-JS-006"] || off["NATS-TLS-002"] {
		t.Errorf("disabled = %v", off)
	}
}

func TestEnabledTurnsTheRestOff(t *testing.T) {
	c, err := Parse([]byte("enabled: [NATS-TLS-002, NATS-OPS-001]\ndisabled: [NATS-OPS-001]\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	off := c.DisabledSet([]string{"NATS-TLS-002", "NATS-OPS-001", "NATS-JS-006"})
	if off["NATS-TLS-002"] || !off["NATS-OPS-001"] || !off["NATS-JS-006"] {
		t.Errorf("disabled = %v", off)
	}
}

func TestComposeProjects(t *testing.T) {
	c, err := Parse([]byte("version: 1\ncompose:\n  projects:\n    - [docker-compose.yml, ./deploy/../docker-compose.prod.yml]\n    - [nats/allinone.yml]\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"docker-compose.yml", "docker-compose.prod.yml"}, {"nats/allinone.yml"}}
	if fmt.Sprint(c.ComposeProjects) != fmt.Sprint(want) {
		t.Errorf("projects = %v, want %v", c.ComposeProjects, want)
	}
}

func TestOwners(t *testing.T) {
	c, err := Parse([]byte("version: 1\nowners:\n  - match: NATS-TLS-*\n    owner: security team\n    due: 2026-12-31\n  - match: jetstream/**\n    owner: messaging\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Owner{{Match: "NATS-TLS-*", Owner: "security team", Due: "2026-12-31", Line: 3}, {Match: "jetstream/**", Owner: "messaging", Line: 6}}
	if fmt.Sprint(c.Owners) != fmt.Sprint(want) {
		t.Errorf("owners = %+v, want %+v", c.Owners, want)
	}
}

func TestErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top key", "version: 1\nexception:\n  - rule: X\n", []string{`c.yaml:2: unknown key "exception" (want version, params, enabled, disabled, exceptions, severity_overrides, minimum_severity, skip_dirs, skip_files, helm, compose, owners)`}},
		{"owners not a list", "owners: {a: b}\n", []string{"c.yaml:1: owners: want a list of {match, owner, due}"}},
		{"owner without match", "owners:\n  - owner: ops\n", []string{"c.yaml:2: owners: each entry needs match"}},
		{"owner bad glob", "owners:\n  - match: \"NATS-[\"\n    owner: ops\n", []string{"c.yaml:2: owners: match"}},
		{"owner unknown key", "owners:\n  - match: NATS-*\n    owner: ops\n    when: soon\n", []string{`c.yaml:4: unknown key "when" in owners`}},
		{"unknown exception key", "exceptions:\n  - rule: NATS-OPS-001\n    reason: r\n    expire: 2027-01-01\n", []string{`c.yaml:4: unknown key "expire" in exception (want rule, path, target, reason, expires, max_severity)`}},
		{"missing rule", "exceptions:\n  - reason: r\n", []string{"c.yaml:2: exception without rule"}},
		{"bad date", "exceptions:\n  - rule: NATS-OPS-001\n    expires: someday\n", []string{`c.yaml:2: exception: expires (not shown): not a date`}},
		{"bad glob", "exceptions:\n  - rule: NATS-OPS-001\n    path: \"config/[x\"\n", []string{`c.yaml:2: exception: path (not shown) is not a valid glob`}},
		{"duplicate key", "disabled: []\ndisabled: []\n", []string{`c.yaml:2: key "disabled" is already set at line 1`}},
		{"wrong version", "version: 2\n", []string{"c.yaml:1: version: want 1"}},
		{"not a mapping", "- a\n- b\n", []string{"c.yaml:1: want a mapping"}},
		{"syntax", "params:\n  tls: [\n", []string{"c.yaml:"}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"c.yaml:2: a second YAML document"}},
		{"compose not a mapping", "compose: [a]\n", []string{"c.yaml:1: compose: want a mapping with projects"}},
		{"compose unknown key", "compose:\n  project: []\n", []string{`c.yaml:2: unknown key "project" in compose (want projects)`}},
		{"compose project not a list", "compose:\n  projects:\n    - docker-compose.yml\n", []string{"c.yaml:3: compose project: want a list of compose files"}},
		{"compose path outside", "compose:\n  projects:\n    - [docker-compose.yml, deploy/../../x.yml, /etc/y.yml]\n", []string{"c.yaml: 2 errors:", "c.yaml:3: compose project: want a compose file path relative to the scanned root"}},
		{"several errors", "foo: 1\nbar: 2\n", []string{"c.yaml: 2 errors:", `c.yaml:1: unknown key "foo"`, `c.yaml:2: unknown key "bar"`}},
	} {
		_, err := Parse([]byte(tc.yaml), "c.yaml")
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

func TestCheckAgainstCatalog(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown rule in exception", "exceptions:\n  - rule: NATS-TLS-999\n    reason: r\n", "c.yaml:2: unknown rule NATS-TLS-999"},
		{"unknown rule in disabled", "disabled:\n  - NATS-JS-006\n  - NATS-XX-001\n", "c.yaml:3: unknown rule NATS-XX-001"},
		{"unknown rule in enabled", "enabled: [NATS-XX-002]\n", "c.yaml:1: unknown rule NATS-XX-002"},
		{"unknown section", "params:\n  tsl:\n    x: 1\n", "c.yaml:2: unknown parameter params.tsl (known: cluster, streams)"},
		{"unknown parameter", "params:\n  streams:\n    usage_hi: 0.5\n", "c.yaml:3: unknown parameter params.streams.usage_hi (did you mean params.streams.usage_high?) (known: dlq_name_pattern, r1_allowed_patterns, usage_high)"},
		{"wrong type", "params:\n  streams:\n    usage_high: \"high\"\n", "c.yaml:3: parameter params.streams.usage_high: want a number, got a string"},
		{"list for a string", "params:\n  streams:\n    dlq_name_pattern: [a]\n", "c.yaml:3: parameter params.streams.dlq_name_pattern: want a string, got a list"},
		{"section not a mapping", "params:\n  cluster: 3\n", "c.yaml:2: parameter params.cluster: want a mapping, got an integer"},
	} {
		c, err := Parse([]byte(tc.yaml), "c.yaml")
		if err != nil {
			t.Errorf("%s: parse: %v", tc.name, err)
			continue
		}
		err = c.Check(catalog)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadAndFind(t *testing.T) {
	dir := t.TempDir()
	if Find(dir) != "" {
		t.Error("found a config in an empty directory")
	}
	p := filepath.Join(dir, ".natsaudit.yml")
	if err := os.WriteFile(p, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if Find(dir) != p {
		t.Errorf("Find = %q", Find(dir))
	}
	c, err := Load(p, ".natsaudit.yml", safefile.ReadRegular)
	if err != nil || len(c.Exceptions) != 2 {
		t.Fatalf("Load: %v %+v", err, c)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), "missing.yaml", safefile.ReadRegular); err == nil {
		t.Error("a missing file loaded")
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", maxSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big, "big.yaml", safefile.ReadRegular); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized config: %v", err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, []byte("# nothing yet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(empty, "empty.yaml", safefile.ReadRegular); err != nil || len(c.Exceptions) != 0 {
		t.Errorf("empty config: %v", err)
	}
}

func TestLoadNamesTheFileTwoWays(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".natsaudit.yaml")
	if err := os.WriteFile(p, []byte("exceptions:\n  - rule: NATS-OPS-001\n    reason: r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, ".natsaudit.yaml", safefile.ReadRegular)
	if err != nil {
		t.Fatal(err)
	}
	// Reports name it relative to the scanned root; errors by its path.
	if c.Exceptions[0].Source != ".natsaudit.yaml:2" || c.Name != ".natsaudit.yaml" || c.Path != p {
		t.Errorf("source %q, name %q, path %q", c.Exceptions[0].Source, c.Name, c.Path)
	}
	c.Exceptions[0].Rule = "NATS-NOPE-001"
	if err := c.Check(Catalog{Rules: map[string]bool{}}); err == nil || !strings.HasPrefix(err.Error(), p+":2: unknown rule NATS-NOPE-001") {
		t.Errorf("error %v does not name %s", err, p)
	}
}

// Issue 11, item 7: messages about a config name keys, rule IDs and lines,
// never a value, and never a "key" that is really a line of some other file
// (/etc/shadow read as YAML) or a token. Typos of names are still quoted,
// so the message stays useful.
func TestMessagesQuoteNoValues(t *testing.T) {
	const mark = "SECRETMARK"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"shadow line as a key", "root:$6$" + mark + "$Qw8zfh1nM7Jx0:19000:0:99999:7:::\n", "c.yaml:1: unknown key (not shown) (want"},
		{"token as a key", "ghp_" + mark + "0123456789abcdefghijklmnop: 1\n", "c.yaml:1: unknown key (not shown)"},
		{"access key ID as a key", "AKIA" + mark + "2EXAMPLE: 1\n", "c.yaml:1: unknown key (not shown)"},
		{"typo is named", "exeptions: []\n", `c.yaml:1: unknown key "exeptions"`},
		{"duplicate secret key", "exceptions:\n  - rule: NATS-OPS-001\n    " + mark + "x9: a\n    " + mark + "x9: b\n", "c.yaml:4: key (not shown) is already set"},
		{"exception value", "exceptions:\n  - rule: NATS-OPS-001\n    expires: " + mark + "\n", "c.yaml:2: exception: expires (not shown): not a date"},
		{"exception glob", "exceptions:\n  - rule: NATS-OPS-001\n    target: \"" + mark + "[\"\n", "c.yaml:2: exception: target (not shown) is not a valid glob"},
		{"unknown anchor", "enabled: *" + mark + "\n", "c.yaml: yaml: unknown anchor (not shown) referenced"},
		{"param of the wrong YAML type", "params: !!map {a: !!int " + mark + "}\n", "c.yaml:1: params: yaml: cannot decode !!str (not shown) as a !!int"},
		{"non-scalar exception field", "exceptions:\n  - rule: NATS-OPS-001\n    " + mark + "0123456789abcdefghij: [a]\n", "c.yaml:3: exception (not shown): want a single value"},
	} {
		_, err := Parse([]byte(tc.yaml), "c.yaml")
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if strings.Contains(err.Error(), mark) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want %q and no %s", tc.name, err, tc.want, mark)
		}
	}
	// Rule IDs and parameter names are checked against the catalog.
	c, err := Parse([]byte("disabled: [NATS-"+mark+"-0123456789abcdefghijkl]\nparams:\n  streams:\n    "+mark+"0123456789abcdefghijkl: 1\n  nope: {}\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = c.Check(catalog)
	if err == nil || strings.Contains(err.Error(), mark) {
		t.Errorf("check: %v", err)
	}
	for _, w := range []string{"c.yaml:1: unknown rule (not shown)", "c.yaml:4: unknown parameter params.streams.(not shown)", "c.yaml:5: unknown parameter params.nope"} {
		if err != nil && !strings.Contains(err.Error(), w) {
			t.Errorf("check: %v lacks %q", err, w)
		}
	}
}

// A .natsaudit.yaml found in the tree is read through safefile.Root: a
// link out of the tree or into .git is an error (never read, never
// ignored), a link inside the tree is fine.
func TestFoundConfigLinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	secretFile := filepath.Join(outside, "shadow")
	if err := os.WriteFile(secretFile, []byte("root:$6$SECRETMARK$x:19000:0:99999:7:::\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
	must(os.WriteFile(filepath.Join(dir, ".git/config"), []byte("[http]\n\textraheader = AUTHORIZATION: basic SECRETMARK\n"), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "ci"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "ci/natsaudit.yaml"), []byte(good), 0o644))
	root := safefile.NewRoot(dir)
	for _, tc := range []struct{ target, want string }{
		{secretFile, "points outside the scanned tree"},
		{".git/config", "resolves into .git/"},
		{"ci/natsaudit.yaml", ""},
	} {
		p := filepath.Join(dir, ".natsaudit.yaml")
		_ = os.Remove(p)
		must(os.Symlink(tc.target, p))
		if Find(dir) != p {
			t.Fatalf("Find = %q", Find(dir))
		}
		c, err := Load(p, ".natsaudit.yaml", root.ReadFile)
		switch {
		case tc.want == "" && (err != nil || len(c.Exceptions) != 2):
			t.Errorf("%s: %v", tc.target, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "SECRETMARK")):
			t.Errorf("%s: error %v, want %q", tc.target, err, tc.want)
		}
	}
}

func TestHelmReleases(t *testing.T) {
	c, err := Parse([]byte("version: 1\nhelm:\n  releases:\n  - name: mq\n    chart: nats\n    version: 2.12.3\n    values: [deploy/values.yaml, ./deploy/values-prod.yaml]\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Helm) != 1 || c.Helm[0].Name != "mq" || c.Helm[0].Version != "2.12.3" || len(c.Helm[0].Values) != 2 || c.Helm[0].Values[1] != "deploy/values-prod.yaml" || c.Helm[0].Line != 4 {
		t.Errorf("helm = %+v", c.Helm)
	}
	for _, bad := range []string{
		"helm:\n  releases:\n  - values: [../outside.yaml]\n",
		"helm:\n  releases:\n  - values: [/etc/passwd]\n",
		"helm:\n  releases:\n  - name: x\n",
		"helm:\n  charts: []\n",
		"helm:\n  releases:\n  - values: [a.yaml]\n    colour: red\n",
	} {
		if _, err := Parse([]byte(bad), "x.yaml"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestSeverityOverridesAndMinimum(t *testing.T) {
	c, err := Parse([]byte("minimum_severity: Medium\nseverity_overrides:\n  nats-ops-001: HIGH\n  NATS-TLS-*: low\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(catalog); err != nil {
		t.Fatal(err)
	}
	if c.MinimumSeverity != "medium" {
		t.Errorf("minimum = %q", c.MinimumSeverity)
	}
	if got := fmt.Sprint(c.SeverityOverrides); got != "[{NATS-OPS-001 high c.yaml:3} {NATS-TLS-* low c.yaml:4}]" {
		t.Errorf("overrides = %s", got)
	}
	bad := []struct{ in, want string }{
		{"minimum_severity: severe\n", "c.yaml:1: minimum_severity: want one of critical"},
		{"severity_overrides:\n  NATS-OPS-001: severe\n", "c.yaml:2: severity_overrides NATS-OPS-001: want one of"},
		{"severity_overrides: [NATS-OPS-001]\n", "c.yaml:1: severity_overrides: want a mapping"},
		{"severity_overrides:\n  NATS-X-*: low\n", "c.yaml:2: the rule pattern (not shown) matches no rule"},
		{"severity_overrides:\n  NATS-NOPE-001: low\n", "c.yaml:2: unknown rule NATS-NOPE-001"},
	}
	for _, b := range bad {
		c, err := Parse([]byte(b.in), "c.yaml")
		if err == nil {
			err = c.Check(catalog)
		}
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.in, err, b.want)
		}
	}
}

func TestRebase(t *testing.T) {
	c, err := Parse([]byte("exceptions:\n  - rule: NATS-OPS-001\n    path: nats/*.conf\n  - rule: NATS-OPS-001\ncompose:\n  projects:\n    - [docker-compose.yml]\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Rebase("ci")
	if c.Exceptions[0].Path != "ci/nats/*.conf" || c.Exceptions[1].Path != "" || c.ComposeProjects[0][0] != "ci/docker-compose.yml" {
		t.Errorf("rebased: %+v %v", c.Exceptions, c.ComposeProjects)
	}
}
