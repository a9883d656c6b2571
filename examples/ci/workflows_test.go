// Package ci_test checks the GitHub Action (action.yml) and every workflow
// that documents it: the action's metadata is valid, and each documented use
// of the action passes only inputs the action declares and reads only
// outputs it sets. It also runs the action's scan script against a real
// natsaudit binary.
package ci_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const root = "../.."

// action is the metadata syntax GitHub documents for action.yml; decoding
// is strict, so a misspelled key fails the test.
type action struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type step struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
}

func loadAction(t *testing.T) (*action, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a, data
}

var (
	inputRef  = regexp.MustCompile(`\$\{\{\s*inputs\.([A-Za-z0-9_-]+)`)
	stepsRef  = regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	expr      = regexp.MustCompile(`\$\{\{`)
	outputKey = regexp.MustCompile(`echo "([a-z-]+)=`)
)

func TestActionMetadata(t *testing.T) {
	a, raw := loadAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	var names []string
	for n, in := range a.Inputs {
		names = append(names, n)
		if in.Description == "" {
			t.Errorf("input %s has no description", n)
		}
		if in.Required {
			t.Errorf("input %s is required: every input has a default", n)
		}
	}
	sort.Strings(names)
	want := []string{"args", "baseline", "command", "config", "fail-on", "format", "job-summary", "path", "rules", "sarif-file", "trusted-config-from"}
	if !slices.Equal(names, want) {
		t.Errorf("inputs = %v, want %v", names, want)
	}
	// Every input is used, and only declared inputs are.
	used := map[string]bool{}
	for _, m := range inputRef.FindAllStringSubmatch(string(raw), -1) {
		used[m[1]] = true
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses undeclared input %q", m[1])
		}
	}
	for _, n := range names {
		if !used[n] {
			t.Errorf("input %s is declared but never used", n)
		}
	}
	// Steps: shells on run steps, no expression spliced into a script (a
	// path or argument could inject shell code), outputs that a step sets.
	ids := map[string]*step{}
	for i := range a.Runs.Steps {
		s := &a.Runs.Steps[i]
		if s.ID != "" {
			ids[s.ID] = s
		}
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: composite run steps need shell: bash", s.Name)
		}
		if expr.MatchString(s.Run) {
			t.Errorf("step %q: ${{ }} inside the script; pass it through env", s.Name)
		}
		checkScript(t, s.Name, s.Run)
	}
	var install *step
	for i := range a.Runs.Steps {
		if strings.Contains(a.Runs.Steps[i].Run, "go install") {
			install = &a.Runs.Steps[i]
		}
	}
	if install == nil || install.WorkingDirectory != "${{ github.action_path }}" || !strings.Contains(install.Run, "./cmd/natsaudit") {
		t.Error("natsaudit must be installed with go install ./cmd/natsaudit from ${{ github.action_path }} (the action's own ref)")
	}
	if len(a.Outputs) == 0 {
		t.Error("no outputs")
	}
	for n, o := range a.Outputs {
		m := stepsRef.FindStringSubmatch(o.Value)
		if o.Description == "" || m == nil {
			t.Errorf("output %s: want a description and a value from steps.<id>.outputs.<name>", n)
			continue
		}
		s, ok := ids[m[1]]
		if !ok {
			t.Errorf("output %s reads step %q, which does not exist", n, m[1])
			continue
		}
		var set []string
		for _, k := range outputKey.FindAllStringSubmatch(s.Run, -1) {
			set = append(set, k[1])
		}
		if !slices.Contains(set, m[2]) {
			t.Errorf("output %s reads %s, which step %s never writes to $GITHUB_OUTPUT (it writes %v)", n, m[2], m[1], set)
		}
	}
}

// checkScript parses a step's script with bash and lints it with
// shellcheck, each in a subtest that is skipped, visibly, when the tool is
// missing (make test installs shellcheck; .ci/run sets
// NATSAUDIT_REQUIRE_SHELLCHECK=1, which turns the skip into a failure).
func checkScript(t *testing.T, name, script string) {
	t.Helper()
	t.Run("bash -n/"+name, func(t *testing.T) {
		bash := lookTool(t, "bash")
		cmd := exec.Command(bash, "-n")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %q: bash -n: %v\n%s", name, err, out)
		}
	})
	t.Run("shellcheck/"+name, func(t *testing.T) {
		sc := lookTool(t, "shellcheck")
		cmd := exec.Command(sc, "-s", "bash", "-")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %q: shellcheck:\n%s", name, out)
		}
	})
}

// lookTool finds a program on PATH or skips the test, saying so; with
// NATSAUDIT_REQUIRE_SHELLCHECK=1 (CI) a missing tool fails it instead.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s is not installed: the workflow scripts are not checked with it (make test installs shellcheck; on Debian: apt-get install shellcheck)", name)
	if os.Getenv("NATSAUDIT_REQUIRE_SHELLCHECK") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// documentedWorkflows returns the YAML documents that show the action: the
// example workflows and the yaml code blocks of the README and docs.
func documentedWorkflows(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, _ := filepath.Glob("*.yml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out["examples/ci/"+f] = b
	}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	docs = append(docs, filepath.Join(root, "README.md"))
	fence := regexp.MustCompile("(?ms)^( *)```ya?ml\n(.*?)^ *```")
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, d)
		for i, m := range fence.FindAllSubmatch(b, -1) {
			// Blocks nested in a list item are indented: dedent them.
			indent := string(m[1])
			var lines []string
			for _, l := range strings.Split(string(m[2]), "\n") {
				lines = append(lines, strings.TrimPrefix(l, indent))
			}
			out[filepath.ToSlash(rel)+"#block"+string(rune('0'+i))] = []byte(strings.Join(lines, "\n"))
		}
	}
	return out
}

// usesOfAction finds the steps that use this action, anywhere in a document.
func usesOfAction(n *yaml.Node, found *[]*yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "uses" && v.Kind == yaml.ScalarNode && (strings.HasPrefix(v.Value, "natsaudit/natsaudit@") || v.Value == "./") {
				*found = append(*found, n)
			}
		}
	}
	for _, c := range n.Content {
		usesOfAction(c, found)
	}
}

func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func TestDocumentedWorkflowsMatchTheAction(t *testing.T) {
	a, _ := loadAction(t)
	docs := documentedWorkflows(t)
	seen := map[string]int{}
	for name, data := range docs {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: not valid YAML: %v", name, err)
			continue
		}
		var steps []*yaml.Node
		usesOfAction(&doc, &steps)
		ids := map[string]bool{}
		for _, s := range steps {
			file := strings.SplitN(name, "#", 2)[0]
			seen[file]++
			if id := get(s, "id"); id != nil {
				ids[id.Value] = true
			}
			with := get(s, "with")
			if with == nil {
				continue
			}
			for i := 0; i+1 < len(with.Content); i += 2 {
				k, v := with.Content[i], with.Content[i+1]
				if _, ok := a.Inputs[k.Value]; !ok {
					t.Errorf("%s:%d: with.%s is not an input of action.yml", name, k.Line, k.Value)
				}
				switch k.Value {
				case "command":
					if !slices.Contains([]string{"scan", "probe", "install"}, v.Value) {
						t.Errorf("%s:%d: command %q", name, v.Line, v.Value)
					}
				case "fail-on":
					if !slices.Contains([]string{"critical", "high", "medium", "low", "info", "never"}, v.Value) {
						t.Errorf("%s:%d: fail-on %q", name, v.Line, v.Value)
					}
				case "format":
					if !slices.Contains([]string{"text", "json", "markdown"}, v.Value) {
						t.Errorf("%s:%d: format %q", name, v.Line, v.Value)
					}
				}
			}
		}
		// Outputs read from the action's step exist.
		for _, m := range stepsRef.FindAllStringSubmatch(string(data), -1) {
			if ids[m[1]] {
				if _, ok := a.Outputs[m[2]]; !ok {
					t.Errorf("%s: steps.%s.outputs.%s is not an output of action.yml", name, m[1], m[2])
				}
			}
		}
		// Uploading SARIF needs the permission.
		if strings.Contains(string(data), "codeql-action/upload-sarif") && !strings.Contains(string(data), "security-events: write") {
			t.Errorf("%s uploads SARIF without permissions: security-events: write", name)
		}
	}
	for _, f := range []string{"README.md", "docs/ci.md", "examples/ci/github-pull-request.yml", "examples/ci/github-quarterly-report.yml"} {
		if seen[f] == 0 {
			t.Errorf("%s does not show the action (uses: natsaudit/natsaudit@...)", f)
		}
	}
}

// TestQuarterlyWorkflow checks the scheduled report's shape: a quarterly
// cron, a live probe, a diff against the previous JSON, the HTML trend of
// every kept report, and publication.
func TestQuarterlyWorkflow(t *testing.T) {
	b, err := os.ReadFile("github-quarterly-report.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			Schedule []struct {
				Cron string `yaml:"cron"`
			} `yaml:"schedule"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.On.Schedule) != 1 || !strings.HasSuffix(wf.On.Schedule[0].Cron, " 1 1,4,7,10 *") {
		t.Errorf("schedule = %+v, want a cron on the first day of each quarter", wf.On.Schedule)
	}
	var all strings.Builder
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			all.WriteString(s.Run + "\n" + s.Uses + "\n")
			if s.Run != "" {
				checkScript(t, s.Name, s.Run)
			}
		}
	}
	for _, want := range []string{"natsaudit probe --server", "--format markdown", "--format json", "--format html", "natsaudit diff", "natsaudit trend reports/natsaudit --format html", "actions/upload-artifact", "git push"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the quarterly workflow lacks %q", want)
		}
	}
}

// TestActionScript runs the action's scan step, as GitHub would, against a
// natsaudit built from this repository.
func TestActionScript(t *testing.T) {
	ar := newActionRun(t)
	examples, _ := filepath.Abs("../custom-rules")

	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"nats/nats.conf":  natsConf,
		"streams/ev.json": streamJSON,
		"only.yaml":       "enabled: [NATS-TLS-002, ACME-STR-001]\n",
		"only-tls.yaml":   "enabled: [NATS-TLS-002]\n",
	})

	// Medium findings under fail-on high: success, SARIF and summary written.
	r := ar.run(t, repo, map[string]string{"path": "nats streams", "config": "only.yaml", "args": "--rules " + examples})
	if r.code != 0 || r.outs["exit-code"] != "0" || r.outs["sarif-file"] != "natsaudit.sarif" {
		t.Fatalf("exit %d, outputs %v\n%s", r.code, r.outs, r.log)
	}
	if !strings.Contains(r.log, "NATS-TLS-002") || !strings.Contains(r.log, "ACME-STR-001") {
		t.Errorf("the log lacks the findings:\n%s", r.log)
	}
	if !strings.HasPrefix(r.summary, "# NATS audit report") {
		t.Errorf("job summary is not the Markdown report: %.80q", r.summary)
	}
	if r.outs["gate-changed"] != "" {
		t.Errorf("not a pull request, yet gate-changed=%q", r.outs["gate-changed"])
	}
	if got := sarifRules(t, filepath.Join(repo, "natsaudit.sarif")); len(got) != 2 {
		t.Errorf("SARIF results: %v, want 2", got)
	}

	// fail-on medium fails the step with natsaudit's exit code.
	r = ar.run(t, repo, map[string]string{"path": "nats", "config": "only-tls.yaml", "fail-on": "medium", "sarif-file": "out/x.sarif", "job-summary": "false"})
	if r.code != 1 || r.outs["exit-code"] != "1" || r.outs["sarif-file"] != "out/x.sarif" {
		t.Errorf("fail-on medium: exit %d, outputs %v", r.code, r.outs)
	}

	// A usage error: exit 2, no SARIF claimed.
	r = ar.run(t, repo, map[string]string{"config": "missing.yaml"})
	if r.code != 2 || r.outs["exit-code"] != "2" || r.outs["sarif-file"] != "" {
		t.Errorf("missing config: exit %d, outputs %v\n%s", r.code, r.outs, r.log)
	}
	r = ar.run(t, repo, map[string]string{"command": "rm -rf /"})
	if r.code != 2 || !strings.Contains(r.log, "command must be scan, probe or install") {
		t.Errorf("bad command: exit %d\n%s", r.code, r.log)
	}
	r = ar.run(t, repo, map[string]string{"trusted-config-from": "pr"})
	if r.code != 2 || r.outs["exit-code"] != "2" || !strings.Contains(r.log, "trusted-config-from must be base or head") {
		t.Errorf("bad trusted-config-from: exit %d, outputs %v\n%s", r.code, r.outs, r.log)
	}
}

// workflowFiles is every file that holds workflow YAML: action.yml, the
// example workflows and the yaml blocks of README.md and docs/*.md.
func workflowFiles(t *testing.T) map[string][]byte {
	t.Helper()
	all := documentedWorkflows(t)
	_, raw := loadAction(t)
	all["action.yml"] = raw
	gl, err := os.ReadFile("gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	all["examples/ci/gitlab-ci.yml"] = gl
	return all
}

// walk calls fn on every mapping node of a YAML tree.
func walk(n *yaml.Node, fn func(m *yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		fn(n)
	}
	for _, c := range n.Content {
		walk(c, fn)
	}
}

var (
	pinnedUses  = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(/[A-Za-z0-9_./-]+)?@([0-9a-f]{40})$`)
	versionNote = regexp.MustCompile(`^#\s*(v[0-9]+(\.[0-9]+){0,2})(\s|$)`)
	dockerPin   = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
	exprOpen    = regexp.MustCompile(`\$\{\{\s*`)
)

// pins checks that every third-party uses: names a full commit SHA and, in
// a comment, the release it is (for readers and update bots): a tag can be
// moved to other code at any time, a commit SHA cannot. Across files, the
// same action and release have the same SHA.
type pins struct {
	byTag, bySHA map[string]string // repo@tag -> sha, repo@sha -> tag
	where        map[string]string // repo@tag, repo@sha -> file:line first seen
	n            int               // third-party uses: seen
}

func newPins() *pins {
	return &pins{byTag: map[string]string{}, bySHA: map[string]string{}, where: map[string]string{}}
}

func (p *pins) check(name string, doc *yaml.Node) []string {
	var errs []string
	walk(doc, func(m *yaml.Node) {
		u := get(m, "uses")
		if u == nil || u.Kind != yaml.ScalarNode {
			return
		}
		v := u.Value
		switch {
		case strings.HasPrefix(v, "./"):
			return // this repository's own code
		case strings.HasPrefix(v, "natsaudit/natsaudit@"):
			// The documented action itself: the examples name the release a
			// reader picks and tell them to pin its SHA; no release SHA
			// exists to write here yet.
			return
		case strings.HasPrefix(v, "docker://"):
			if !dockerPin.MatchString(v) {
				errs = append(errs, fmt.Sprintf("%s:%d: uses: %s is not pinned by digest (docker://image@sha256:...)", name, u.Line, v))
			}
			return
		}
		p.n++
		at := fmt.Sprintf("%s:%d", name, u.Line)
		sm := pinnedUses.FindStringSubmatch(v)
		if sm == nil {
			errs = append(errs, fmt.Sprintf("%s: uses: %s is not pinned by a full commit SHA (owner/repo@<40 hex> # vX.Y.Z)", at, v))
			return
		}
		c := versionNote.FindStringSubmatch(u.LineComment)
		if c == nil {
			errs = append(errs, fmt.Sprintf("%s: uses: %s has no version comment (# vX.Y.Z), got %q", at, v, u.LineComment))
			return
		}
		repo, sha, tag := sm[1], sm[3], c[1]
		if prev, ok := p.byTag[repo+"@"+tag]; ok && prev != sha {
			errs = append(errs, fmt.Sprintf("%s: %s %s is %s, but %s says %s", at, repo, tag, sha, p.where[repo+"@"+tag], prev))
		} else if !ok {
			p.byTag[repo+"@"+tag], p.where[repo+"@"+tag] = sha, at
		}
		if prev, ok := p.bySHA[repo+"@"+sha]; ok && prev != tag {
			errs = append(errs, fmt.Sprintf("%s: %s@%s is %s, but %s calls it %s", at, repo, sha, tag, p.where[repo+"@"+sha], prev))
		} else if !ok {
			p.bySHA[repo+"@"+sha], p.where[repo+"@"+sha] = tag, at
		}
	})
	return errs
}

// checkoutProblems: actions/checkout writes the job's token into
// .git/config unless told not to, and a scanned file can point there.
func checkoutProblems(name string, doc *yaml.Node) (errs []string, n int) {
	walk(doc, func(m *yaml.Node) {
		u := get(m, "uses")
		if u == nil || !strings.HasPrefix(u.Value, "actions/checkout@") {
			return
		}
		n++
		var pc *yaml.Node
		if with := get(m, "with"); with != nil {
			pc = get(with, "persist-credentials")
		}
		if pc == nil || pc.Value != "false" {
			errs = append(errs, fmt.Sprintf("%s:%d: actions/checkout without persist-credentials: false", name, u.Line))
		}
	})
	return errs, n
}

// scriptProblems: ${{ }} is expanded into a script's text before the shell
// reads it, so a pull request's title, branch name or any other event field
// becomes shell code (script injection). Values reach run: scripts through
// env: instead; no script holds an expression at all.
func scriptProblems(name string, doc *yaml.Node) (errs []string, n int) {
	walk(doc, func(m *yaml.Node) {
		r := get(m, "run")
		if r == nil || r.Kind != yaml.ScalarNode {
			return
		}
		n++
		text := exprOpen.ReplaceAllString(r.Value, "${{")
		switch {
		case strings.Contains(text, "${{github.event."), strings.Contains(text, "${{github.head_ref"):
			errs = append(errs, fmt.Sprintf("%s:%d: run: interpolates an event field (attacker-controlled on pull requests) into the script; pass it through env:", name, r.Line))
		case strings.Contains(text, "${{"):
			errs = append(errs, fmt.Sprintf("%s:%d: run: holds a ${{ }} expression; pass its value through env:", name, r.Line))
		}
	})
	return errs, n
}

func parseAll(t *testing.T) ([]string, map[string]*yaml.Node) {
	t.Helper()
	files := workflowFiles(t)
	docs := map[string]*yaml.Node{}
	for name, data := range files {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		docs[name] = &doc
	}
	return slices.Sorted(maps.Keys(docs)), docs
}

func TestActionsPinnedBySHA(t *testing.T) {
	names, docs := parseAll(t)
	p := newPins()
	for _, name := range names {
		for _, e := range p.check(name, docs[name]) {
			t.Error(e)
		}
	}
	if p.n == 0 {
		t.Fatal("no third-party uses: found: the test reads nothing")
	}
}

func TestCheckoutKeepsNoCredentials(t *testing.T) {
	names, docs := parseAll(t)
	total := 0
	for _, name := range names {
		errs, n := checkoutProblems(name, docs[name])
		total += n
		for _, e := range errs {
			t.Error(e)
		}
	}
	if total == 0 {
		t.Fatal("no actions/checkout step found: the test reads nothing")
	}
}

func TestNoExpressionsInScripts(t *testing.T) {
	names, docs := parseAll(t)
	total := 0
	for _, name := range names {
		errs, n := scriptProblems(name, docs[name])
		total += n
		for _, e := range errs {
			t.Error(e)
		}
	}
	if total == 0 {
		t.Fatal("no run: scripts found: the test reads nothing")
	}
}

// TestWorkflowCheckers shows that the checks above catch what they are
// for, on workflows written to fail them.
func TestWorkflowCheckers(t *testing.T) {
	const sha = "fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09"
	for _, tc := range []struct {
		name, yaml string
		want       string // a substring of the first problem; "" for none
	}{
		{"tag", "steps:\n  - uses: actions/checkout@v5\n", "not pinned by a full commit SHA"},
		{"branch", "steps:\n  - uses: actions/setup-go@main\n", "not pinned by a full commit SHA"},
		{"short SHA", "steps:\n  - uses: actions/setup-go@924ae3a # v6.5.0\n", "not pinned by a full commit SHA"},
		{"sub-action tag", "steps:\n  - uses: github/codeql-action/upload-sarif@v4\n", "not pinned by a full commit SHA"},
		{"no comment", "steps:\n  - uses: actions/upload-artifact@" + sha + "\n", "no version comment"},
		{"docker tag", "steps:\n  - uses: docker://alpine:3\n", "not pinned by digest"},
		{"same tag, two SHAs", "a:\n  - uses: actions/checkout@" + sha + " # v5.1.0\nb:\n  - uses: actions/checkout@" + strings.Repeat("a", 40) + " # v5.1.0\n", "but"},
		{"pinned", "steps:\n  - uses: actions/upload-artifact@" + sha + " # v4.6.2\n", ""},
		{"event in run", "steps:\n  - run: echo \"${{ github.event.pull_request.title }}\"\n", "event field"},
		{"head_ref in run", "steps:\n  - run: git checkout ${{github.head_ref}}\n", "event field"},
		{"any expression in run", "steps:\n  - run: echo ${{ steps.x.outputs.y }}\n", "expression"},
		{"env indirection", "steps:\n  - env:\n      TITLE: ${{ github.event.pull_request.title }}\n    run: echo \"$TITLE\"\n", ""},
		{"checkout keeps token", "steps:\n  - uses: actions/checkout@" + sha + " # v5.1.0\n", "persist-credentials"},
		{"checkout keeps token (true)", "steps:\n  - uses: actions/checkout@" + sha + " # v5.1.0\n    with:\n      persist-credentials: true\n", "persist-credentials"},
		{"checkout without token", "steps:\n  - uses: actions/checkout@" + sha + " # v5.1.0\n    with:\n      persist-credentials: false\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			errs := newPins().check("w.yml", &doc)
			s, _ := scriptProblems("w.yml", &doc)
			c, _ := checkoutProblems("w.yml", &doc)
			errs = append(append(errs, s...), c...)
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("want no problem, got %q", errs)
			case tc.want != "" && (len(errs) == 0 || !strings.Contains(errs[0], tc.want)):
				t.Errorf("want a problem with %q, got %q", tc.want, errs)
			}
		})
	}
}

// TestWorkflowPermissions: every example workflow sets permissions: at the
// top (least privilege; the default token can often write to the
// repository), and only the jobs that need more ask for it.
func TestWorkflowPermissions(t *testing.T) {
	for _, f := range []string{"github-pull-request.yml", "github-quarterly-report.yml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Permissions yaml.Node `yaml:"permissions"`
			Jobs        map[string]struct {
				Permissions map[string]string `yaml:"permissions"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(b, &wf); err != nil {
			t.Fatal(err)
		}
		if wf.Permissions.Kind != yaml.MappingNode || len(wf.Permissions.Content) != 0 {
			t.Errorf("%s: want permissions: {} at the top, and what each job needs in the job", f)
		}
		for name, j := range wf.Jobs {
			if len(j.Permissions) == 0 {
				t.Errorf("%s: job %s sets no permissions", f, name)
			}
			for scope, level := range j.Permissions {
				if level == "write" && scope != "security-events" && !(f == "github-quarterly-report.yml" && scope == "contents") {
					t.Errorf("%s: job %s asks for %s: write", f, name, scope)
				}
			}
		}
	}
}

var (
	latest       = regexp.MustCompile(`[@:]latest\b`)
	imagePinned  = regexp.MustCompile(`^[a-z0-9./_-]+:[0-9][A-Za-z0-9._-]*@sha256:[0-9a-f]{64}$`)
	releaseTag   = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)
	goInstallRef = regexp.MustCompile(`go install [^\n]*@(\S+)`)
)

// TestGitLabRecipePinned: the image by version and digest, natsaudit by
// release; nothing anywhere resolves "latest" (a moving target, and a
// compromised release would be picked up at once).
func TestGitLabRecipePinned(t *testing.T) {
	b, err := os.ReadFile("gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		code, _, _ := strings.Cut(l, "#")
		if latest.MatchString(code) || strings.Contains(code, "VERSION: latest") {
			t.Errorf("gitlab-ci.yml:%d: %s", i+1, strings.TrimSpace(l))
		}
	}
	var doc map[string]struct {
		Image     string            `yaml:"image"`
		Variables map[string]string `yaml:"variables"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	images, versions := 0, 0
	for job, j := range doc {
		if j.Image != "" {
			images++
			if !imagePinned.MatchString(j.Image) {
				t.Errorf("job %s: image %q: want name:version@sha256:<digest>", job, j.Image)
			}
		}
		if v, ok := j.Variables["NATSAUDIT_VERSION"]; ok {
			versions++
			if !releaseTag.MatchString(v) {
				t.Errorf("job %s: NATSAUDIT_VERSION %q: want a release (vX.Y.Z)", job, v)
			}
		}
	}
	if images == 0 || versions == 0 {
		t.Errorf("gitlab-ci.yml: %d images and %d NATSAUDIT_VERSIONs found: the test reads nothing", images, versions)
	}
	// go install with @latest in any documented workflow is the same mistake.
	for name, data := range workflowFiles(t) {
		for _, m := range goInstallRef.FindAllStringSubmatch(string(data), -1) {
			if ref := strings.Trim(m[1], `"'`); ref == "latest" || ref == "master" || ref == "main" {
				t.Errorf("%s: %s", name, m[0])
			}
		}
	}
}

// TestGitLabScripts parses and lints the recipe's scripts.
func TestGitLabScripts(t *testing.T) {
	for job, script := range gitlabScripts(t) {
		checkScript(t, job, script)
	}
}

// gitlabScripts returns each job's before_script and script, joined as the
// runner runs them.
func gitlabScripts(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]struct {
		BeforeScript []string `yaml:"before_script"`
		Script       []string `yaml:"script"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for job, j := range doc {
		if len(j.Script) > 0 {
			out[job] = strings.Join(j.Script, "\n")
		}
		if len(j.BeforeScript) > 0 {
			out[job+" before_script"] = strings.Join(j.BeforeScript, "\n")
		}
	}
	if len(out) == 0 {
		t.Fatal("gitlab-ci.yml has no scripts")
	}
	return out
}

var (
	docTestName = regexp.MustCompile("`(Test[A-Za-z0-9_]+)`")
	docScript   = regexp.MustCompile("`([a-z0-9_]+\\.txtar)`")
)

// TestSecurityDocNamesRealTests: every test that docs/security.md names as
// covering an attack exists (a renamed or misspelt test would leave an
// attack listed as covered by nothing).
func TestSecurityDocNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(`)
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range decl.FindAllSubmatch(b, -1) {
				funcs[string(m[1])] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := docTestName.FindAllSubmatch(doc, -1)
	if len(names) == 0 {
		t.Fatal("docs/security.md names no test")
	}
	for _, m := range names {
		if !funcs[string(m[1])] {
			t.Errorf("docs/security.md names %s, which no _test.go file defines", m[1])
		}
	}
	for _, m := range docScript.FindAllSubmatch(doc, -1) {
		if _, err := os.Stat(filepath.Join(root, "cmd", "natsaudit", "testdata", "script", string(m[1]))); err != nil {
			t.Errorf("docs/security.md names script test %s: %v", m[1], err)
		}
	}
	if n := strings.Count(string(doc), "TODO(lead)"); n > 0 {
		t.Logf("docs/security.md: %d attacks still without a test name (TODO(lead))", n)
	}
}
