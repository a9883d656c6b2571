package ci_test

// The recipes on pull requests, run for real: the action's scan step and the
// GitLab job's script, with bash, git and a natsaudit built from this
// repository, on git repositories where a pull request tries to switch its
// own gate off.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	// natsConf has NATS-TLS-002 (medium): TLS configured, plaintext allowed.
	natsConf = "server_name: nats-1\nport: 4222\ntls { cert_file: \"a.crt\", key_file: \"a.key\" }\nallow_non_tls: true\n"
	// streamJSON has ACME-STR-001 (medium, examples/custom-rules): no max_age.
	streamJSON = `{"name": "EVENTS", "subjects": ["events.>"], "max_age": 0, "num_replicas": 3}`
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// natsauditDir builds natsaudit once for the package's tests and returns
// the directory that holds it.
func natsauditDir(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds natsaudit")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "natsaudit-ci-test"); binErr != nil {
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(binDir, "natsaudit"), "./cmd/natsaudit")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binDir
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sarifRules returns the rule IDs of a SARIF file's results.
func sarifRules(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &sarif); err != nil || len(sarif.Runs) != 1 {
		t.Fatalf("SARIF %s: %v, %d runs", path, err, len(sarif.Runs))
	}
	var ids []string
	for _, r := range sarif.Runs[0].Results {
		ids = append(ids, r.RuleID)
	}
	return ids
}

// actionRun runs the action's scan step (id: run) as GitHub does: inputs as
// INPUT_* variables, outputs through $GITHUB_OUTPUT.
type actionRun struct {
	bash, script, bin string
	defaults          map[string]string
}

type runResult struct {
	code               int
	outs               map[string]string
	log, summary       string
	notice, reportPart string // the summary before and from "# NATS audit report"
}

func newActionRun(t *testing.T) *actionRun {
	t.Helper()
	bin := natsauditDir(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash: the action's script cannot run")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git: the action's script cannot run")
	}
	a, _ := loadAction(t)
	ar := &actionRun{bash: bash, bin: bin, defaults: map[string]string{}}
	for _, s := range a.Runs.Steps {
		if s.ID == "run" {
			ar.script = s.Run
		}
	}
	if ar.script == "" {
		t.Fatal("no step with id run")
	}
	for n, i := range a.Inputs {
		ar.defaults[n] = i.Default
	}
	return ar
}

// run runs the step in dir with the given inputs (over the defaults) and
// extra environment (NAME=value: the event).
func (ar *actionRun) run(t *testing.T, dir string, in map[string]string, env ...string) runResult {
	t.Helper()
	ghOut := filepath.Join(t.TempDir(), "output")
	summary := filepath.Join(t.TempDir(), "summary.md")
	cmd := exec.Command(ar.bash, "-c", ar.script)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + ar.bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"GITHUB_OUTPUT=" + ghOut, "GITHUB_STEP_SUMMARY=" + summary,
		"HOME=" + t.TempDir(), "RUNNER_TEMP=" + t.TempDir(),
		"GIT_CONFIG_NOSYSTEM=1",
	}, env...)
	for k, v := range ar.defaults {
		if o, ok := in[k]; ok {
			v = o
		}
		cmd.Env = append(cmd.Env, "INPUT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))+"="+v)
	}
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	r := runResult{outs: map[string]string{}}
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.code = ee.ExitCode()
	}
	b, _ := os.ReadFile(ghOut)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			r.outs[k] = v
		}
	}
	sum, _ := os.ReadFile(summary)
	r.log, r.summary = stdout.String(), string(sum)
	r.notice, r.reportPart = r.summary, ""
	if i := strings.Index(r.summary, "# NATS audit report"); i >= 0 {
		r.notice, r.reportPart = r.summary[:i], r.summary[i:]
	}
	return r
}

// git runs git in dir and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", "-c", "core.hooksPath=/dev/null"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Hostile file names a pull request adds next to its rules (not .rego, so
// natsaudit does not load them): markup, and a new line followed by a
// workflow command.
const (
	markupName  = "policies/<img src=x onerror=alert(1)>.md"
	commandName = "policies/a\n::error::pwned.md"
)

// prRepo is a repository whose base commit has the team's gate
// (.natsaudit.yaml enabling two rules, policies/ with ACME's rules, no
// baseline), and a pull request that switches it off: an exception for the
// TLS finding, only that rule enabled, a baseline accepting everything, a
// weakened rule, an edited workflow, and hostile file names.
type prRepo struct {
	dir               string
	base, head, merge string // commits: the base, the pull request, GitHub's merge
	cleanMerge        string // the merge of a pull request that leaves the gate alone
}

func newPRRepo(t *testing.T, bin string) *prRepo {
	t.Helper()
	rules, err := os.ReadFile("../custom-rules/streams.rego")
	if err != nil {
		t.Fatal(err)
	}
	r := &prRepo{dir: t.TempDir()}
	git(t, r.dir, "init", "-q")
	writeFiles(t, r.dir, map[string]string{
		"nats/nats.conf":                  natsConf,
		"streams/ev.json":                 streamJSON,
		".natsaudit.yaml":                 "enabled: [NATS-TLS-002, ACME-STR-001]\n",
		"policies/streams.rego":           string(rules),
		".github/workflows/natsaudit.yml": "name: natsaudit\n",
	})
	git(t, r.dir, "add", "-A")
	git(t, r.dir, "commit", "-q", "-m", "base")
	r.base = git(t, r.dir, "rev-parse", "HEAD")

	git(t, r.dir, "checkout", "-q", "-b", "pr")
	// A baseline that accepts every finding the gate has today.
	scan := exec.Command(filepath.Join(bin, "natsaudit"), "scan", ".", "--rules", "policies", "--fail-on", "never", "--format", "json=.natsaudit-baseline.json")
	scan.Dir = r.dir
	if out, err := scan.CombinedOutput(); err != nil {
		t.Fatalf("baseline: %v\n%s", err, out)
	}
	writeFiles(t, r.dir, map[string]string{
		".natsaudit.yaml":                 "enabled: [NATS-TLS-002]\nexceptions:\n  - rule: NATS-TLS-002\n    reason: not needed\n",
		"policies/streams.rego":           strings.Replace(string(rules), "max_retention_days := 90", "max_retention_days := 36500", 1),
		".github/workflows/natsaudit.yml": "name: natsaudit\n# fail-on: never\n",
		markupName:                        "x\n",
		commandName:                       "x\n",
	})
	// A link where the other settings file name goes: the action must not
	// follow it when it works out which files make the gate.
	if err := os.Symlink("/etc/passwd", filepath.Join(r.dir, ".natsaudit.yml")); err != nil {
		t.Fatal(err)
	}
	git(t, r.dir, "add", "-A")
	git(t, r.dir, "commit", "-q", "-m", "pr")
	r.head = git(t, r.dir, "rev-parse", "HEAD")
	// GitHub's merge commit for the pull request: base first, then head.
	git(t, r.dir, "checkout", "-q", "--detach", r.base)
	git(t, r.dir, "merge", "-q", "--no-ff", "-m", "merge pr", "pr")
	r.merge = git(t, r.dir, "rev-parse", "HEAD")

	// A pull request that changes the configuration it audits, not the gate.
	git(t, r.dir, "checkout", "-q", "-b", "clean", r.base)
	writeFiles(t, r.dir, map[string]string{"nats/nats.conf": natsConf + "# max_payload later\n"})
	git(t, r.dir, "commit", "-q", "-am", "clean")
	git(t, r.dir, "checkout", "-q", "--detach", r.base)
	git(t, r.dir, "merge", "-q", "--no-ff", "-m", "merge clean", "clean")
	r.cleanMerge = git(t, r.dir, "rev-parse", "HEAD")
	return r
}

func prEnv(sha, baseSHA string) []string {
	return []string{
		"GITHUB_EVENT_NAME=pull_request", "GITHUB_SHA=" + sha, "PR_BASE_SHA=" + baseSHA,
		"GITHUB_REPOSITORY=acme/nats", "GITHUB_WORKFLOW_REF=acme/nats/.github/workflows/natsaudit.yml@refs/pull/7/merge",
	}
}

// TestActionOnPullRequest: with trusted-config-from: base (the default) a
// pull request cannot switch its own gate off, and whatever the mode, a
// pull request that changes the gate is flagged at the top of the job
// summary and in the log, in words that carry no markup or workflow command
// from its file names.
func TestActionOnPullRequest(t *testing.T) {
	ar := newActionRun(t)
	r := newPRRepo(t, ar.bin)
	in := map[string]string{"path": ".", "fail-on": "medium", "baseline": ".natsaudit-baseline.json", "rules": "policies"}
	gateFiles := []string{".github/workflows/natsaudit.yml", ".natsaudit-baseline.json", ".natsaudit.yaml", ".natsaudit.yml", "policies/streams.rego", "policies/?img?src?x?onerror?alert?1??.md", "policies/a???error??pwned.md"}

	for _, tc := range []struct {
		name     string
		checkout string
		in       map[string]string
		env      []string
		code     int
		changed  string // gate-changed output
		findings []string
		notice   string // in the summary before the report; "" for none
	}{
		{"base from the merge commit", r.merge, nil, prEnv(r.merge, ""), 1, "true", []string{"NATS-TLS-002", "ACME-STR-001"}, "this run used the base commit's versions"},
		{"base from the event's base.sha", r.head, nil, prEnv(r.merge, r.base), 1, "true", []string{"NATS-TLS-002", "ACME-STR-001"}, "this run used the base commit's versions"},
		{"head: the pull request's settings and a notice", r.merge, map[string]string{"trusted-config-from": "head"}, prEnv(r.merge, ""), 0, "true", nil, "this run used the pull request's versions"},
		{"a pull request that leaves the gate alone", r.cleanMerge, nil, prEnv(r.cleanMerge, ""), 1, "false", []string{"NATS-TLS-002", "ACME-STR-001"}, ""},
		{"push: the branch's own settings", r.merge, nil, []string{"GITHUB_EVENT_NAME=push", "GITHUB_SHA=" + r.merge}, 0, "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			git(t, r.dir, "checkout", "-q", "--detach", tc.checkout)
			inputs := map[string]string{}
			for k, v := range in {
				inputs[k] = v
			}
			for k, v := range tc.in {
				inputs[k] = v
			}
			res := ar.run(t, r.dir, inputs, tc.env...)
			if res.code != tc.code || res.outs["exit-code"] != fmt.Sprint(tc.code) || res.outs["gate-changed"] != tc.changed {
				t.Fatalf("exit %d, outputs %v; want exit %d, gate-changed %q\n%s", res.code, res.outs, tc.code, tc.changed, res.log)
			}
			got := sarifRules(t, filepath.Join(r.dir, "natsaudit.sarif"))
			if fmt.Sprint(got) != fmt.Sprint(tc.findings) {
				t.Errorf("SARIF results %v, want %v", got, tc.findings)
			}
			if res.reportPart == "" {
				t.Errorf("no report in the summary:\n%s", res.summary)
			}
			if tc.notice == "" {
				if res.notice != "" || strings.Contains(res.log, "gate changed") {
					t.Errorf("a notice for a pull request that leaves the gate alone:\n%s\n%s", res.notice, res.log)
				}
				return
			}
			if !strings.HasPrefix(res.notice, "## :warning: This pull request changes natsaudit's gate") || !strings.Contains(res.notice, tc.notice) {
				t.Errorf("the summary does not start with the notice %q:\n%s", tc.notice, res.summary)
			}
			for _, f := range gateFiles {
				if !strings.Contains(res.notice, "- `"+f+"`\n") {
					t.Errorf("the notice does not list %s:\n%s", f, res.notice)
				}
			}
			if !strings.Contains(res.log, "::warning title=natsaudit gate changed::.github/workflows/natsaudit.yml .natsaudit-baseline.json .natsaudit.yaml ") {
				t.Errorf("no warning annotation listing the changes:\n%s", res.log)
			}
			for _, bad := range []string{"<img", "\n::error::pwned"} {
				if strings.Contains(res.notice, bad) || strings.Contains(res.log, bad) {
					t.Errorf("a pull request's file name reached the summary or the log as %q", bad)
				}
			}
			if tc.name == "base from the merge commit" && !strings.Contains(res.log, "::notice title=natsaudit::baseline .natsaudit-baseline.json does not exist at the base commit") {
				t.Errorf("no notice that the pull request's new baseline was not applied:\n%s", res.log)
			}
		})
	}

	// Without the base commit (a checkout with the default fetch-depth: 1)
	// base mode fails closed instead of reading the pull request's copies.
	git(t, r.dir, "checkout", "-q", "--detach", r.head)
	res := ar.run(t, r.dir, in, prEnv(r.merge, strings.Repeat("f", 40))...)
	if res.code != 2 || res.outs["exit-code"] != "2" || !strings.Contains(res.log, "fetch-depth: 2") {
		t.Errorf("no base commit: exit %d, outputs %v\n%s", res.code, res.outs, res.log)
	}
}

// TestActionRefusesLinks: the pull request's tree can hold a symlink where
// the SARIF file goes, or on the way to it; the action refuses to write
// through it (exit 2) and the link's target is untouched.
func TestActionRefusesLinks(t *testing.T) {
	ar := newActionRun(t)
	repo, outside := t.TempDir(), t.TempDir()
	writeFiles(t, repo, map[string]string{"nats/nats.conf": natsConf})
	victim := filepath.Join(outside, "victim")
	writeFiles(t, outside, map[string]string{"victim": "keep\n"})
	if err := os.Symlink(outside, filepath.Join(repo, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(repo, "natsaudit.sarif")); err != nil {
		t.Fatal(err)
	}
	for _, sarif := range []string{"out/x.sarif", "out/victim", "natsaudit.sarif"} {
		res := ar.run(t, repo, map[string]string{"path": "nats", "sarif-file": sarif})
		if res.code != 2 || res.outs["exit-code"] != "2" || !strings.Contains(res.log, "is a symbolic link") {
			t.Errorf("sarif-file %s through a link: exit %d, outputs %v\n%s", sarif, res.code, res.outs, res.log)
		}
	}
	entries, _ := os.ReadDir(outside)
	if b, _ := os.ReadFile(victim); string(b) != "keep\n" || len(entries) != 1 {
		t.Errorf("written through a link: %d files outside, victim %q", len(entries), b)
	}
}

// gitlabJob returns the natsaudit job's script and variables (its own over
// those of the hidden job it extends).
func gitlabJob(t *testing.T) (string, map[string]string) {
	t.Helper()
	b, err := os.ReadFile("gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]struct {
		Extends   string            `yaml:"extends"`
		Variables map[string]string `yaml:"variables"`
		Script    []string          `yaml:"script"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	job, ok := doc["natsaudit"]
	if !ok {
		t.Fatal("gitlab-ci.yml has no natsaudit job")
	}
	vars := map[string]string{}
	for k, v := range doc[job.Extends].Variables {
		vars[k] = v
	}
	for k, v := range job.Variables {
		vars[k] = v
	}
	return strings.Join(job.Script, "\n"), vars
}

// TestGitLabRecipeOnMergeRequest runs the GitLab job's script: in a merge
// request pipeline the settings come from the base commit (fetched when the
// clone is too shallow to hold it), the report starts with the notice, and
// a link the merge request planted where the reports go is not written
// through. On the default branch the branch's own settings apply.
func TestGitLabRecipeOnMergeRequest(t *testing.T) {
	bin := natsauditDir(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash: the job's script cannot run")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git: the job's script cannot run")
	}
	script, vars := gitlabJob(t)
	r := newPRRepo(t, bin)
	// The merge request also plants the reports' directory as a link.
	outside := t.TempDir()
	git(t, r.dir, "checkout", "-q", "pr")
	if err := os.Symlink(outside, filepath.Join(r.dir, "natsaudit-report")); err != nil {
		t.Fatal(err)
	}
	git(t, r.dir, "add", "natsaudit-report")
	git(t, r.dir, "commit", "-q", "-m", "reports go elsewhere")
	mrHead := git(t, r.dir, "rev-parse", "HEAD")

	run := func(dir string, env ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bash, "-c", script)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1"}, env...)
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		code := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			code = ee.ExitCode()
		}
		md, _ := os.ReadFile(filepath.Join(dir, "natsaudit-report", "natsaudit.md"))
		return code, out.String(), string(md)
	}

	// GitLab clones the merge request's head shallowly: the base commit is
	// fetched.
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, filepath.Dir(clone), "clone", "-q", "--depth=1", "--branch", "pr", "file://"+r.dir, clone)
	if got := git(t, clone, "rev-parse", "HEAD"); got != mrHead {
		t.Fatalf("clone at %s, want %s", got, mrHead)
	}
	if err := exec.Command("git", "-C", clone, "cat-file", "-e", r.base+"^{commit}").Run(); err == nil {
		t.Fatal("the shallow clone holds the base commit: the fetch is not tested")
	}
	// The findings are medium, under the recipe's --fail-on high: exit 0;
	// the base commit's gate reports them, the merge request's would not.
	code, log, md := run(clone, "CI_MERGE_REQUEST_DIFF_BASE_SHA="+r.base, "CI_PIPELINE_SOURCE=merge_request_event")
	if code != 0 {
		t.Fatalf("merge request: exit %d\n%s", code, log)
	}
	if got := sarifRules(t, filepath.Join(clone, "natsaudit-report", "natsaudit.sarif")); fmt.Sprint(got) != "[NATS-TLS-002 ACME-STR-001]" {
		t.Errorf("merge request: findings %v, want the base commit's gate's [NATS-TLS-002 ACME-STR-001]", got)
	}
	if !strings.HasPrefix(md, "## This merge request changes natsaudit's gate") || !strings.Contains(md, "# NATS audit report") {
		t.Errorf("natsaudit.md does not start with the notice, then the report:\n%.600s", md)
	}
	for _, f := range []string{".natsaudit.yaml", ".natsaudit-baseline.json", "policies/streams.rego"} {
		if !strings.Contains(md, "- `"+f+"`\n") {
			t.Errorf("the notice does not list %s", f)
		}
	}
	if !strings.Contains(log, "WARNING: this merge request changes natsaudit's gate") {
		t.Errorf("no warning in the log:\n%s", log)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("reports written through the merge request's link: %d files", len(entries))
	}

	// The default branch after the merge: its own (now merged) settings.
	git(t, r.dir, "checkout", "-q", "--detach", r.base)
	code, log, md = run(r.dir)
	if code != 0 || !strings.HasPrefix(md, "# NATS audit report") {
		t.Errorf("default branch: exit %d, report %.80q\n%s", code, md, log)
	}
	if got := sarifRules(t, filepath.Join(r.dir, "natsaudit-report", "natsaudit.sarif")); fmt.Sprint(got) != "[NATS-TLS-002 ACME-STR-001]" {
		t.Errorf("default branch: findings %v", got)
	}
}
