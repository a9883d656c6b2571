// Command realworld re-scans the real-world regression corpus (issue 12) and
// compares what natsaudit finds with the verdicts a person wrote after
// reading every file: which true positives are still found, which false
// positives are still there or fixed, which misses are now found, what is
// new and not yet judged, which scans abort and which findings move from one
// run to the next.
//
// The corpus is public repositories reduced to the files natsaudit reads
// (testdata/realworld/manifest.json lists repository, commit and paths).
// Their files are never committed here: they live in a directory outside the
// repository, one subdirectory per repository named owner+name.
//
//	realworld [-corpus DIR] [-bin bin/natsaudit] [-runs 5] [-repo owner/name]
//	realworld -recreate [-mirrors /work/.mirror]   # rebuild DIR from local git mirrors
//	realworld -skeleton                            # print unjudged findings as verdict entries
//
// The corpus directory defaults to $NATSAUDIT_CORPUS, else /work/corpus.
// Exit status: 0 when no true positive was lost, every finding has a verdict
// and no scan aborted that did not abort in the verdicts; 1 otherwise; 2 on
// usage or setup errors.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Manifest lists the corpus repositories.
type Manifest struct {
	Description string         `json:"description"`
	Now         string         `json:"now"`
	Repos       []ManifestRepo `json:"repos"`
}

// ManifestRepo is one repository of the corpus.
type ManifestRepo struct {
	Repo        string   `json:"repo"`
	Commit      string   `json:"commit"`
	Kind        string   `json:"kind"` // application, sample, nats-project, kubernetes
	License     string   `json:"license"`
	Description string   `json:"description"`
	Paths       []string `json:"paths"`
}

// Verdicts is the judged state of one build over the corpus.
type Verdicts struct {
	Build    string                  `json:"build"`
	Now      string                  `json:"now"`
	Notes    []string                `json:"notes,omitempty"`
	Patterns map[string]Pattern      `json:"patterns"`
	Repos    map[string]*RepoVerdict `json:"repos"`
}

// Pattern is a cause shared by several false positives or misses (the to-do
// list in docs/precision.md).
type Pattern struct {
	Kind string `json:"kind"` // false-positive, miss, location, nondeterminism, abort, silent-pass
	Text string `json:"text"`
}

// RepoVerdict holds the judgements for one repository.
type RepoVerdict struct {
	Aborted  *Abort    `json:"aborted,omitempty"`
	Findings []Judged  `json:"findings"`
	Misses   []Miss    `json:"misses"`
	Unstable []Moving  `json:"unstable,omitempty"`
	Notes    []string  `json:"notes,omitempty"`
	Errors   []string  `json:"errors,omitempty"` // parse errors the scan reported, as "file: message"
	extra    []Finding // findings of this run no verdict matched (filled by compare)
}

// Abort records a scan that ended without a report.
type Abort struct {
	Exit    int    `json:"exit"`
	Message string `json:"message"`
	Pattern string `json:"pattern,omitempty"`
}

// Judged is one finding with its verdict.
type Judged struct {
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Target  string `json:"target"`
	Verdict string `json:"verdict"` // true, false, debatable
	Reason  string `json:"reason"`
	Pattern string `json:"pattern,omitempty"` // id of the false-positive pattern (docs/precision.md)
	// Lines lists every line the finding was seen on across runs when its
	// location is not stable; Line is then the first of them.
	Lines []int `json:"lines,omitempty"`
	// ReportedFile and ReportedTarget are what the judged build printed when
	// that was wrong (a path mangled by secret masking); File and Target are
	// then what it should print. Either form matches.
	ReportedFile   string `json:"reported_file,omitempty"`
	ReportedTarget string `json:"reported_target,omitempty"`
}

// Miss is a problem natsaudit should report and did not.
type Miss struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Rule    string `json:"rule"`             // the rule that should fire, or NEW:<name>
	Target  string `json:"target,omitempty"` // when known
	Reads   bool   `json:"reads"`            // natsaudit reads this kind of file today
	Pattern string `json:"pattern"`          // id of the miss pattern (docs/precision.md)
	Reason  string `json:"reason"`
	AnyLine bool   `json:"any_line,omitempty"` // a finding of Rule anywhere in File counts
}

// Moving is a finding whose location changed between runs of the same build.
type Moving struct {
	Rule   string `json:"rule"`
	File   string `json:"file"`
	Target string `json:"target"`
	Lines  []int  `json:"lines"`
}

// Finding is the part of a report finding the comparison needs.
type Finding struct {
	Rule     string
	File     string
	Line     int
	Target   string
	Severity string
	Message  string
}

type reportJSON struct {
	Findings []struct {
		RuleID   string `json:"rule_id"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Target   string `json:"target"`
		Location *struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"location"`
	} `json:"findings"`
	Errors []struct {
		File    string `json:"file"`
		Message string `json:"message"`
	} `json:"errors"`
}

// scan is the outcome of one scan of one repository.
type scan struct {
	exit     int
	aborted  bool
	message  string // stderr when aborted
	findings []Finding
	errors   []string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("realworld", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", defaultCorpus(), "corpus directory (one owner+name directory per repository)")
	manifestPath := fs.String("manifest", "testdata/realworld/manifest.json", "manifest file")
	verdictsPath := fs.String("verdicts", "testdata/realworld/verdicts.json", "verdicts file")
	bin := fs.String("bin", "bin/natsaudit", "natsaudit binary to run")
	runs := fs.Int("runs", 5, "scans per repository (more than one also checks that findings do not move)")
	only := fs.String("repo", "", "only this repository (owner/name)")
	recreate := fs.Bool("recreate", false, "re-create the corpus from local git mirrors first (git archive of the manifest's commit and paths)")
	mirrors := fs.String("mirrors", "/work/.mirror", "directory of mirrors for -recreate: <owner>+<name>/repo is a bare git directory")
	skeleton := fs.Bool("skeleton", false, "print the findings no verdict covers as verdict entries (verdict \"?\") and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *runs < 1 {
		fmt.Fprintln(stderr, "realworld: -runs must be at least 1")
		return 2
	}
	var m Manifest
	if err := readJSON(*manifestPath, &m); err != nil {
		fmt.Fprintln(stderr, "realworld:", err)
		return 2
	}
	var v Verdicts
	if err := readJSON(*verdictsPath, &v); err != nil {
		fmt.Fprintln(stderr, "realworld:", err)
		return 2
	}
	now := m.Now
	if now == "" {
		now = v.Now
	}
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(stderr, "realworld:", err)
		return 2
	}
	if _, err := os.Stat(absBin); err != nil {
		fmt.Fprintf(stderr, "realworld: %v (build it: go build -o bin/natsaudit ./cmd/natsaudit)\n", err)
		return 2
	}
	tmp, err := os.MkdirTemp("", "natsaudit-realworld-")
	if err != nil {
		fmt.Fprintln(stderr, "realworld:", err)
		return 2
	}
	defer os.RemoveAll(tmp)

	var total tally
	byKind := map[string]*tally{}
	failed := false
	for _, r := range m.Repos {
		if *only != "" && r.Repo != *only {
			continue
		}
		dir := filepath.Join(*corpus, dirName(r.Repo))
		if *recreate {
			if err := recreateRepo(*mirrors, dir, r); err != nil {
				fmt.Fprintf(stderr, "realworld: %s: %v\n", r.Repo, err)
				return 2
			}
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			fmt.Fprintf(stderr, "realworld: %s: no copy at %s (use -recreate with mirrors, or fetch the repository and extract the manifest's paths)\n", r.Repo, dir)
			return 2
		}
		var scans []scan
		for i := 0; i < *runs; i++ {
			s, err := scanRepo(absBin, dir, now, filepath.Join(tmp, fmt.Sprintf("%s.%d.json", dirName(r.Repo), i)))
			if err != nil {
				fmt.Fprintf(stderr, "realworld: %s: %v\n", r.Repo, err)
				return 2
			}
			scans = append(scans, s)
		}
		rv := v.Repos[r.Repo]
		if rv == nil {
			rv = &RepoVerdict{}
		}
		if *skeleton {
			printSkeleton(stdout, r.Repo, rv, scans)
			continue
		}
		t := compare(rv, scans)
		report(stdout, r.Repo, rv, t)
		total.add(t)
		if byKind[r.Kind] == nil {
			byKind[r.Kind] = &tally{}
		}
		byKind[r.Kind].add(t)
		// Every finding must have a verdict: an unjudged one fails the
		// run like a lost true positive, so precision is never quoted
		// over part of the findings.
		if t.tpLost > 0 || t.newAbort || t.unjudged > 0 {
			failed = true
		}
	}
	if *skeleton {
		return 0
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(stdout, "\n== kind %s\n", k)
		byKind[k].print(stdout)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "== corpus")
	total.print(stdout)
	if failed {
		return 1
	}
	return 0
}

func defaultCorpus() string {
	if d := os.Getenv("NATSAUDIT_CORPUS"); d != "" {
		return d
	}
	return "/work/corpus"
}

// dirName is the corpus directory of a repository: owner/name -> owner+name.
func dirName(repo string) string { return strings.ReplaceAll(repo, "/", "+") }

func readJSON(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// recreateRepo writes the manifest's paths of the manifest's commit into dir,
// from a bare mirror. It never fetches: without the mirror it fails.
func recreateRepo(mirrors, dir string, r ManifestRepo) error {
	gitDir := filepath.Join(mirrors, dirName(r.Repo), "repo")
	if _, err := os.Stat(gitDir); err != nil {
		return fmt.Errorf("no mirror: %w", err)
	}
	if len(r.Paths) == 0 {
		return errors.New("manifest lists no paths")
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	archive := exec.Command("git", append([]string{"--git-dir", gitDir, "archive", r.Commit, "--"}, r.Paths...)...)
	untar := exec.Command("tar", "-x", "-C", dir)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	var aerr, terr bytes.Buffer
	archive.Stderr, untar.Stderr = &aerr, &terr
	if err := untar.Start(); err != nil {
		return err
	}
	if err := archive.Run(); err != nil {
		_ = untar.Wait()
		return fmt.Errorf("git archive %s: %v: %s", r.Commit, err, strings.TrimSpace(aerr.String()))
	}
	if err := untar.Wait(); err != nil {
		return fmt.Errorf("tar: %v: %s", err, strings.TrimSpace(terr.String()))
	}
	return nil
}

// scanRepo runs natsaudit on dir (paths in the report are then relative to
// the repository root) and reads its JSON report. An exit status of 2, or no
// report, is an aborted scan.
func scanRepo(bin, dir, now, out string) (scan, error) {
	args := []string{"scan", ".", "--format", "json", "--output", out, "--fail-on", "never"}
	if now != "" {
		args = append(args, "--now", now)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	err := cmd.Run()
	s := scan{}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		s.exit = ee.ExitCode()
	default:
		return s, err
	}
	b, rerr := os.ReadFile(out)
	_ = os.Remove(out)
	if s.exit == 2 || rerr != nil || len(b) == 0 {
		s.aborted = true
		s.message = firstLine(stderr.String())
		return s, nil
	}
	var rep reportJSON
	if err := json.Unmarshal(b, &rep); err != nil {
		return s, fmt.Errorf("report of %s: %w", dir, err)
	}
	for _, f := range rep.Findings {
		x := Finding{Rule: f.RuleID, Target: f.Target, Severity: f.Severity, Message: f.Message}
		if f.Location != nil {
			x.File, x.Line = f.Location.File, f.Location.Line
		}
		s.findings = append(s.findings, x)
	}
	for _, e := range rep.Errors {
		s.errors = append(s.errors, e.File+": "+e.Message)
	}
	return s, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// tally is what one comparison counted.
type tally struct {
	repos          int
	findings       int // findings of the first complete run
	tpFound        int
	tpLost         int
	fpPresent      int
	fpFixed        int
	debPresent     int
	debGone        int
	missFound      int
	missMissing    int
	unjudged       int
	aborts         int
	abortsExpected int
	abortsFixed    int
	newAbort       bool
	moving         int // findings whose location differs between runs
	mislocated     int // findings matched only through reported_file/reported_target
	lost           []Judged
	fixed          []Judged
	found          []Miss
}

func (t *tally) add(o tally) {
	t.repos++
	t.findings += o.findings
	t.tpFound += o.tpFound
	t.tpLost += o.tpLost
	t.fpPresent += o.fpPresent
	t.fpFixed += o.fpFixed
	t.debPresent += o.debPresent
	t.debGone += o.debGone
	t.missFound += o.missFound
	t.missMissing += o.missMissing
	t.unjudged += o.unjudged
	t.aborts += o.aborts
	t.abortsExpected += o.abortsExpected
	t.abortsFixed += o.abortsFixed
	t.moving += o.moving
	t.mislocated += o.mislocated
}

// precision counts debatable findings as neither right nor wrong.
func (t tally) precision() (float64, bool) {
	n := t.tpFound + t.fpPresent
	if n == 0 {
		return 0, false
	}
	return float64(t.tpFound) / float64(n), true
}

func (t tally) print(w io.Writer) {
	fmt.Fprintf(w, "repositories:               %d\n", t.repos)
	fmt.Fprintf(w, "findings:                   %d\n", t.findings)
	fmt.Fprintf(w, "true positives still found: %d\n", t.tpFound)
	fmt.Fprintf(w, "true positives lost:        %d\n", t.tpLost)
	fmt.Fprintf(w, "false positives present:    %d\n", t.fpPresent)
	fmt.Fprintf(w, "false positives fixed:      %d\n", t.fpFixed)
	fmt.Fprintf(w, "debatable present / gone:   %d / %d\n", t.debPresent, t.debGone)
	fmt.Fprintf(w, "misses now found:           %d\n", t.missFound)
	fmt.Fprintf(w, "misses still missing:       %d\n", t.missMissing)
	fmt.Fprintf(w, "new unjudged findings:      %d\n", t.unjudged)
	fmt.Fprintf(w, "aborted scans:              %d (expected %d, fixed %d)\n", t.aborts, t.abortsExpected, t.abortsFixed)
	fmt.Fprintf(w, "findings that move:         %d\n", t.moving)
	fmt.Fprintf(w, "findings with a wrong path: %d\n", t.mislocated)
	if p, ok := t.precision(); ok {
		fmt.Fprintf(w, "precision (judged, debatable excluded): %.1f%% (%d/%d)\n", 100*p, t.tpFound, t.tpFound+t.fpPresent)
	}
	if n := t.tpFound + t.fpPresent + t.debPresent; n > 0 {
		fmt.Fprintf(w, "precision (debatable counted wrong):    %.1f%% (%d/%d)\n", 100*float64(t.tpFound)/float64(n), t.tpFound, n)
	}
}

// key identifies a finding; line is compared separately so that a finding
// whose line moves still matches its verdict.
type key struct{ rule, file, target string }

// compare matches the scans against the verdicts of one repository.
func compare(rv *RepoVerdict, scans []scan) tally {
	var t tally
	var first *scan
	for i := range scans {
		if scans[i].aborted {
			t.aborts++
			continue
		}
		if first == nil {
			first = &scans[i]
		}
	}
	if t.aborts > 0 {
		if rv.Aborted != nil {
			t.abortsExpected++
		} else {
			t.newAbort = true
		}
	} else if rv.Aborted != nil {
		t.abortsFixed++
	}
	t.moving = len(movingFindings(scans))
	if first == nil {
		// Nothing to compare: every judged finding counts as neither
		// found nor fixed, so an abort never looks like an improvement.
		return t
	}
	t.findings = len(first.findings)

	// Match each finding of the first complete run to one verdict: exact
	// line first, then any verdict of the same rule, file and target (its
	// line moved, or the verdict lists several).
	used := make([]bool, len(rv.Findings))
	byKey := map[key][]int{}
	reported := map[key][]int{}
	for i, j := range rv.Findings {
		k := key{j.Rule, j.File, j.Target}
		byKey[k] = append(byKey[k], i)
		if j.ReportedFile != "" || j.ReportedTarget != "" {
			r := key{j.Rule, or(j.ReportedFile, j.File), or(j.ReportedTarget, j.Target)}
			reported[r] = append(reported[r], i)
		}
	}
	// Two passes, so that a finding at a verdict's exact line always gets
	// that verdict, even when an earlier finding of the same rule, file
	// and target would have taken it as a fallback.
	match := make([]int, len(first.findings))
	for n, f := range first.findings {
		match[n] = -1
		k := key{f.Rule, f.File, f.Target}
		for _, i := range append(append([]int(nil), byKey[k]...), reported[k]...) {
			if !used[i] && (rv.Findings[i].Line == f.Line || containsInt(rv.Findings[i].Lines, f.Line)) {
				match[n] = i
				used[i] = true
				break
			}
		}
	}
	for n, f := range first.findings {
		if match[n] >= 0 {
			continue
		}
		k := key{f.Rule, f.File, f.Target}
		for _, i := range append(append([]int(nil), byKey[k]...), reported[k]...) {
			if !used[i] {
				match[n] = i
				used[i] = true
				break
			}
		}
	}
	var unmatched []Finding
	for n, f := range first.findings {
		idx := match[n]
		if idx < 0 {
			unmatched = append(unmatched, f)
			continue
		}
		if j := rv.Findings[idx]; (j.ReportedFile != "" || j.ReportedTarget != "") && (f.File != j.File || f.Target != j.Target) {
			t.mislocated++
		}
		switch rv.Findings[idx].Verdict {
		case "true":
			t.tpFound++
		case "false":
			t.fpPresent++
		default:
			t.debPresent++
		}
	}
	for i, j := range rv.Findings {
		if used[i] {
			continue
		}
		switch j.Verdict {
		case "true":
			t.tpLost++
			t.lost = append(t.lost, j)
		case "false":
			t.fpFixed++
			t.fixed = append(t.fixed, j)
		default:
			t.debGone++
		}
	}
	// A miss is found when a finding of its rule appears at its line (or
	// anywhere in its file, for any_line misses). Findings that found a
	// miss are not "unjudged".
	for _, m := range rv.Misses {
		hit := -1
		for i, f := range unmatched {
			if f.Rule == m.Rule && f.File == m.File && (m.AnyLine || f.Line == m.Line) && (m.Target == "" || m.Target == f.Target) {
				hit = i
				break
			}
		}
		if hit < 0 {
			t.missMissing++
			continue
		}
		t.missFound++
		t.found = append(t.found, m)
		unmatched = append(unmatched[:hit], unmatched[hit+1:]...)
	}
	t.unjudged = len(unmatched)
	rv.extra = unmatched
	return t
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// movingFindings lists the findings (rule, file, target) whose set of lines
// differs between complete runs.
func movingFindings(scans []scan) []Moving {
	var complete []scan
	for _, s := range scans {
		if !s.aborted {
			complete = append(complete, s)
		}
	}
	if len(complete) < 2 {
		return nil
	}
	sets := make([]map[key][]int, len(complete))
	all := map[key]bool{}
	for i, s := range complete {
		sets[i] = map[key][]int{}
		for _, f := range s.findings {
			k := key{f.Rule, f.File, f.Target}
			sets[i][k] = append(sets[i][k], f.Line)
			all[k] = true
		}
		for k := range sets[i] {
			sort.Ints(sets[i][k])
		}
	}
	var out []Moving
	for k := range all {
		seen := map[int]bool{}
		stable := true
		for i := range sets {
			if fmt.Sprint(sets[i][k]) != fmt.Sprint(sets[0][k]) {
				stable = false
			}
			for _, l := range sets[i][k] {
				seen[l] = true
			}
		}
		if stable {
			continue
		}
		var lines []int
		for l := range seen {
			lines = append(lines, l)
		}
		sort.Ints(lines)
		out = append(out, Moving{Rule: k.rule, File: k.file, Target: k.target, Lines: lines})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Target < b.Target
	})
	return out
}

func report(w io.Writer, repo string, rv *RepoVerdict, t tally) {
	fmt.Fprintf(w, "\n== %s\n", repo)
	if t.newAbort {
		fmt.Fprintf(w, "  ABORTED (%d run(s)); not an expected abort\n", t.aborts)
	} else if t.abortsExpected > 0 {
		fmt.Fprintf(w, "  aborted, as recorded: %s\n", rv.Aborted.Message)
	} else if t.abortsFixed > 0 {
		fmt.Fprintf(w, "  abort fixed: the scan now completes (was: %s)\n", rv.Aborted.Message)
	}
	fmt.Fprintf(w, "  findings %d: true %d, false %d, debatable %d, unjudged %d; misses found %d of %d; moving %d\n",
		t.findings, t.tpFound, t.fpPresent, t.debPresent, t.unjudged, t.missFound, t.missFound+t.missMissing, t.moving)
	for _, j := range t.lost {
		fmt.Fprintf(w, "  LOST true positive: %s %s:%d %s (%s)\n", j.Rule, j.File, j.Line, j.Target, j.Reason)
	}
	for _, j := range t.fixed {
		fmt.Fprintf(w, "  fixed false positive: %s %s:%d %s [%s]\n", j.Rule, j.File, j.Line, j.Target, j.Pattern)
	}
	for _, m := range t.found {
		fmt.Fprintf(w, "  miss now found: %s %s:%d [%s]\n", m.Rule, m.File, m.Line, m.Pattern)
	}
	for _, f := range rv.extra {
		fmt.Fprintf(w, "  unjudged: %s %s %s:%d %s: %s\n", f.Rule, f.Severity, f.File, f.Line, f.Target, f.Message)
	}
}

// printSkeleton prints, as JSON lines ready to paste into the verdicts, the
// findings of the first complete run that no verdict covers.
func printSkeleton(w io.Writer, repo string, rv *RepoVerdict, scans []scan) {
	t := compare(rv, scans)
	moving := map[key][]int{}
	for _, m := range movingFindings(scans) {
		moving[key{m.Rule, m.File, m.Target}] = m.Lines
	}
	for _, s := range scans {
		if s.aborted {
			fmt.Fprintf(w, "%s\taborted\t%s\n", repo, s.message)
			break
		}
	}
	for _, f := range rv.extra {
		j := Judged{Rule: f.Rule, File: f.File, Line: f.Line, Target: f.Target, Verdict: "?", Reason: f.Severity + ": " + f.Message}
		if ls := moving[key{f.Rule, f.File, f.Target}]; len(ls) > 0 {
			j.Lines = ls
		}
		b, _ := json.Marshal(j)
		fmt.Fprintf(w, "%s\t%s\n", repo, b)
	}
	_ = t
}
