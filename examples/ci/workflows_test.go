// Package ci_test checks the GitHub Action (action.yml) and every workflow
// that documents it: the action's metadata is valid, and each documented use
// of the action passes only inputs the action declares and reads only
// outputs it sets. It also runs the action's scan script against a real
// natsaudit binary.
package ci_test

import (
	"bytes"
	"encoding/json"
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
	want := []string{"args", "baseline", "command", "config", "fail-on", "format", "job-summary", "path", "sarif-file"}
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

// checkScript parses a step's script with bash, and lints it with
// shellcheck when it is installed.
func checkScript(t *testing.T, name, script string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Logf("no bash: %s not parsed", name)
		return
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("step %q: bash -n: %v\n%s", name, err, out)
	}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		cmd := exec.Command(sc, "-s", "bash", "-")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %q: shellcheck:\n%s", name, out)
		}
	}
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
// cron, a live probe, a diff against the previous JSON, and publication.
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
	for _, want := range []string{"natsaudit probe --server", "--format markdown", "--format json", "natsaudit diff", "actions/upload-artifact", "git push"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the quarterly workflow lacks %q", want)
		}
	}
}

// TestActionScript runs the action's scan step, as GitHub would, against a
// natsaudit built from this repository.
func TestActionScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds natsaudit")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	a, _ := loadAction(t)
	var script string
	for _, s := range a.Runs.Steps {
		if s.ID == "run" {
			script = s.Run
		}
	}
	if script == "" {
		t.Fatal("no step with id run")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "natsaudit"), "./cmd/natsaudit")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	examples, _ := filepath.Abs("../custom-rules")

	repo := t.TempDir()
	for name, content := range map[string]string{
		"nats/nats.conf":  "server_name: nats-1\nport: 4222\ntls { cert_file: \"a.crt\", key_file: \"a.key\" }\nallow_non_tls: true\n",
		"streams/ev.json": `{"name": "EVENTS", "subjects": ["events.>"], "max_age": 0, "num_replicas": 3}`,
		"only.yaml":       "enabled: [NATS-TLS-002, ACME-STR-001]\n",
		"only-tls.yaml":   "enabled: [NATS-TLS-002]\n",
	} {
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inputs := func(over map[string]string) map[string]string {
		in := map[string]string{}
		for n, i := range a.Inputs {
			in[n] = i.Default
		}
		for k, v := range over {
			in[k] = v
		}
		return in
	}
	run := func(in map[string]string) (int, map[string]string, string, string) {
		t.Helper()
		ghOut := filepath.Join(t.TempDir(), "output")
		summary := filepath.Join(t.TempDir(), "summary.md")
		cmd := exec.Command(bash, "-c", script)
		cmd.Dir = repo
		cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GITHUB_OUTPUT=" + ghOut, "GITHUB_STEP_SUMMARY=" + summary, "HOME=" + t.TempDir()}
		for k, v := range in {
			cmd.Env = append(cmd.Env, "INPUT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))+"="+v)
		}
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stdout
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		outs := map[string]string{}
		b, _ := os.ReadFile(ghOut)
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				outs[k] = v
			}
		}
		sum, _ := os.ReadFile(summary)
		return code, outs, stdout.String(), string(sum)
	}

	// Medium findings under fail-on high: success, SARIF and summary written.
	code, outs, log, summary := run(inputs(map[string]string{"path": "nats streams", "config": "only.yaml", "args": "--rules " + examples}))
	if code != 0 || outs["exit-code"] != "0" || outs["sarif-file"] != "natsaudit.sarif" {
		t.Fatalf("exit %d, outputs %v\n%s", code, outs, log)
	}
	if !strings.Contains(log, "NATS-TLS-002") || !strings.Contains(log, "ACME-STR-001") {
		t.Errorf("the log lacks the findings:\n%s", log)
	}
	if !strings.HasPrefix(summary, "# NATS audit report") {
		t.Errorf("job summary is not the Markdown report: %.80q", summary)
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	b, err := os.ReadFile(filepath.Join(repo, "natsaudit.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sarif); err != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 2 {
		t.Errorf("SARIF: %v, %+v", err, sarif)
	}

	// fail-on medium fails the step with natsaudit's exit code.
	code, outs, _, _ = run(inputs(map[string]string{"path": "nats", "config": "only-tls.yaml", "fail-on": "medium", "sarif-file": "out/x.sarif", "job-summary": "false"}))
	if code != 1 || outs["exit-code"] != "1" || outs["sarif-file"] != "out/x.sarif" {
		t.Errorf("fail-on medium: exit %d, outputs %v", code, outs)
	}

	// A usage error: exit 2, no SARIF claimed.
	code, outs, log, _ = run(inputs(map[string]string{"config": "missing.yaml"}))
	if code != 2 || outs["exit-code"] != "2" || outs["sarif-file"] != "" {
		t.Errorf("missing config: exit %d, outputs %v\n%s", code, outs, log)
	}
	code, _, log, _ = run(inputs(map[string]string{"command": "rm -rf /"}))
	if code != 2 || !strings.Contains(log, "command must be scan, probe or install") {
		t.Errorf("bad command: exit %d\n%s", code, log)
	}
}
