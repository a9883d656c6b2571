// Command gomut runs Go mutation testing on the core packages with Gremlins
// (github.com/go-gremlins/gremlins, pinned below and run with `go run
// …@version`, no global install), one package at a time, and gates the
// result: it prints killed, lived, allowed, timed-out and not-covered
// mutants and the efficacy per package, lists every survivor as
// file:line:column and mutator, and exits 1 when a package's efficacy is
// under -min-efficacy. `make mutation-go`; docs/testing.md.
//
// Efficacy is killed / (killed + lived), as Gremlins computes it, with the
// survivors named in the allow-list (equivalent mutants, each with its
// reason) left out of "lived". Timed-out and not-viable mutants count in
// neither; mutants on lines no test reaches are "not covered" and reported
// apart (Gremlins does not run them).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// gremlins is the pinned tool.
const gremlins = "github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0"

// target is one package under test, with the files of it that are mutated
// and the tests that run for each mutant.
type target struct {
	pkg string // ./internal/…
	// only: when set, the files of the package directory that are
	// mutated (a regexp matched against the path from the package
	// directory, e.g. `^resolve\.go$`); every other Go file under the
	// directory is passed to Gremlins as an -E exclusion (excludeArgs).
	only string
	// skip: tests not run for a mutant (go test -skip): time-bounded
	// performance tests, which a loaded machine would fail for any
	// mutant and so count it as killed, and slow scale tests that check
	// nothing a mutant of these files could change alone.
	skip string
}

// targets are the packages of `make mutation-go`.
var targets = []target{
	{pkg: "./internal/secret", skip: "TestRedactManySecrets"},
	{pkg: "./internal/score"},
	{pkg: "./internal/suppress"},
	{
		pkg: "./internal/audit",
		// the reference resolution only: the rest of the package
		// (evaluation, input assembly) is not a target of this gate
		only: `^resolve\.go$`,
		skip: "TestEvalCPUBudget|TestRulesScaleLinearly|TestScalingCheckCatchesAJoin|TestBenchRepoFindingsUnchanged|TestScanKubernetes500|TestJSONValueMatchesOPA|TestScanLarge|Bench",
	},
	{pkg: "./internal/source/certs"},
	{pkg: "./internal/source/compose", skip: "TestBigComposeFileRead|TestPaddedMergeKeyBomb|TestMergeKeyBomb|TestAliasBombBounded"},
	{pkg: "./internal/source/dotenv"},
	{pkg: "./internal/source/natsconf", skip: "TestIncludeFanOut"},
	{pkg: "./internal/source/streams", skip: "TestAliasBombs|TestDeepNesting|TestTooManyValues"},
	// the seam (source.go: Unnamed, HasExt, LooksText, Tree): Gremlins
	// walks the directory down, so the sources under it are excluded,
	// and its coverage run tests them all: their time-bounded tests are
	// skipped there too
	{pkg: "./internal/source", only: `^[^/]+\.go$`,
		skip: "TestIncludeFanOut|TestBigComposeFileRead|TestPaddedMergeKeyBomb|TestMergeKeyBomb|TestAliasBombBounded|TestAliasBombs|TestDeepNesting|TestTooManyValues"},
	{pkg: "./internal/source/kube"},
	{pkg: "./internal/source/helm"},
	{pkg: "./internal/source/systemd"},
}

func main() {
	var (
		pkgs    = flag.String("pkgs", "", "comma-separated packages (e.g. internal/score); default: all targets")
		minEff  = flag.Float64("min-efficacy", 80, "exit 1 when a package's efficacy is under this percent (0: no gate)")
		workers = flag.Int("workers", 0, "Gremlins workers (0: 2, or 1 when the load average is above 6)")
		allowF  = flag.String("allow", "tools/gomut/allow.txt", "allow-list of equivalent mutants")
		outDir  = flag.String("out", "bin/gomut", "directory for Gremlins' JSON results")
		report  = flag.Bool("report", false, "only print the results already in -out (no run)")
		nSample = flag.Int("sample", 0, "test this many mutants per package, drawn with -seed among those Gremlins would run, instead of all (an estimate)")
		seed    = flag.Uint64("seed", 1, "seed of -sample")
		again   = flag.Bool("recheck", false, "run the tests again against the survivors of the results in -out only (after adding tests), not every mutant")
	)
	flag.DurationVar(&mutantTimeout, "timeout", mutantTimeout, "go test -timeout of one mutant in -sample and -recheck runs (a mutant that hits it counts as timed out)")
	flag.Parse()
	allow, err := readAllow(*allowF)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gomut:", err)
		os.Exit(2)
	}
	sel, err := selectTargets(*pkgs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gomut:", err)
		os.Exit(2)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gomut:", err)
		os.Exit(2)
	}
	w := *workers
	if w <= 0 {
		w = defaultWorkers()
	}
	var results []pkgResult
	for _, t := range sel {
		out := filepath.Join(*outDir, strings.ReplaceAll(strings.TrimPrefix(t.pkg, "./internal/"), "/", "_")+".json")
		if *nSample > 0 && !*report && !*again {
			if err := sample(t, *nSample, *seed, out); err != nil {
				fmt.Fprintf(os.Stderr, "gomut: %s: %v\n", t.pkg, err)
				os.Exit(2)
			}
		} else if !*report && !*again {
			if err := run(t, w, out); err != nil {
				fmt.Fprintf(os.Stderr, "gomut: %s: %v\n", t.pkg, err)
				os.Exit(2)
			}
		}
		r, err := readResult(t.pkg, out, allow)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gomut: %s: %v\n", t.pkg, err)
			os.Exit(2)
		}
		if *again && len(r.survivors) > 0 {
			alive, killed, err := recheck(t, r.survivors)
			if err != nil {
				fmt.Fprintf(os.Stderr, "gomut: %s: %v\n", t.pkg, err)
				os.Exit(2)
			}
			r.killed += killed
			r.lived, r.survivors = len(alive), alive
		}
		results = append(results, r)
	}
	if !printResults(os.Stdout, results, allow, *minEff) {
		os.Exit(1)
	}
}

func selectTargets(list string) ([]target, error) {
	if list == "" {
		return targets, nil
	}
	var out []target
	for _, p := range strings.Split(list, ",") {
		p = "./" + strings.TrimPrefix(strings.TrimSpace(p), "./")
		found := false
		for _, t := range targets {
			if t.pkg == p {
				out, found = append(out, t), true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s is not a target (tools/gomut/main.go lists them)", p)
		}
	}
	return out, nil
}

// defaultWorkers is 2 on a quiet machine and 1 on a loaded one: each
// worker compiles and tests a copy of the module.
func defaultWorkers() int {
	w := min(2, runtime.NumCPU())
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if l, err := strconv.ParseFloat(f[0], 64); err == nil && l > 6 {
				w = 1
			}
		}
	}
	return w
}

// run unleashes Gremlins on one package. GOFLAGS reaches the coverage run
// and every mutant's `go test`: -count=1 so that the coverage run (whose
// time, times the timeout coefficient of .gremlins.yaml, bounds each
// mutant) is not a cached result of a few milliseconds; -trimpath so that
// the copies of the module Gremlins works in share the build cache.
func run(t target, workers int, out string) error {
	args := []string{"run", gremlins, "unleash", "--workers", strconv.Itoa(workers), "-o", out}
	ex, err := excludeArgs(t)
	if err != nil {
		return err
	}
	args = append(args, ex...)
	args = append(args, t.pkg)
	flags := "-count=1 -trimpath"
	if t.skip != "" {
		flags += " -skip=" + t.skip
	}
	fmt.Printf("== %s (workers %d, GOFLAGS=%q)\n", t.pkg, workers, flags)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOFLAGS="+flags)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// Gremlins exits non-zero only for its own thresholds, which are
	// not set: the gate is ours, below.
	return cmd.Run()
}

// excludeArgs are the Gremlins -E flags that leave out every Go file of
// t's directory (and the directories under it, which Gremlins walks too)
// that t.only does not name. Gremlins matches -E against the path from the
// package directory, not from the module root: a pattern written from the
// root excludes nothing.
func excludeArgs(t target) ([]string, error) {
	if t.only == "" {
		return nil, nil
	}
	only, err := regexp.Compile(t.only)
	if err != nil {
		return nil, fmt.Errorf("only: %w", err)
	}
	dir := strings.TrimPrefix(t.pkg, "./")
	var args []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !only.MatchString(rel) {
			args = append(args, "-E", "^"+regexp.QuoteMeta(rel)+"$")
		}
		return nil
	})
	return args, err
}

// allowEntry is one equivalent mutant: file (from the module root),
// line, column and mutator type, with the reason.
type allowEntry struct {
	key    string // file:line:col TYPE
	reason string
	used   bool
}

func readAllow(path string) (map[string]*allowEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read allow-list: %w", err)
	}
	out := map[string]*allowEntry{}
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) < 3 {
			return nil, fmt.Errorf("%s:%d: want `file:line:col TYPE reason`", path, i+1)
		}
		k := f[0] + " " + f[1]
		out[k] = &allowEntry{key: k, reason: strings.Join(f[2:], " ")}
	}
	return out, nil
}

type gremlinsOutput struct {
	Files []struct {
		Filename  string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
	Elapsed float64 `json:"elapsed_time"`
}

type pkgResult struct {
	pkg                                                     string
	killed, lived, allowed, timedOut, notViable, notCovered int
	survivors                                               []string
	elapsed                                                 float64
}

func (r pkgResult) efficacy() float64 {
	if r.killed+r.lived == 0 {
		return 100
	}
	return 100 * float64(r.killed) / float64(r.killed+r.lived)
}

func readResult(pkg, path string, allow map[string]*allowEntry) (pkgResult, error) {
	r := pkgResult{pkg: strings.TrimPrefix(pkg, "./")}
	b, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("read results: %w", err)
	}
	var g gremlinsOutput
	if err := json.Unmarshal(b, &g); err != nil {
		return r, fmt.Errorf("parse %s: %w", path, err)
	}
	r.elapsed = g.Elapsed
	for _, f := range g.Files {
		// Gremlins names files from the package directory ("(not
		// covered)" is sample's bucket of the mutants it did not run)
		file := filepath.ToSlash(f.Filename)
		if !strings.HasPrefix(file, r.pkg+"/") {
			file = r.pkg + "/" + file
		}
		for _, m := range f.Mutations {
			switch m.Status {
			case "KILLED":
				r.killed++
			case "LIVED":
				k := fmt.Sprintf("%s:%d:%d %s", file, m.Line, m.Column, m.Type)
				if a, ok := allow[k]; ok {
					a.used = true
					r.allowed++
					continue
				}
				r.lived++
				r.survivors = append(r.survivors, k)
			case "TIMED OUT":
				r.timedOut++
			case "NOT VIABLE":
				r.notViable++
			case "NOT COVERED":
				r.notCovered++
			}
		}
	}
	sort.Strings(r.survivors)
	return r, nil
}

func printResults(w *os.File, results []pkgResult, allow map[string]*allowEntry, minEff float64) bool {
	ok := true
	for _, r := range results {
		for _, s := range r.survivors {
			fmt.Fprintf(w, "LIVED %s\n", s)
		}
	}
	fmt.Fprintf(w, "\n%-28s %7s %6s %8s %9s %11s %9s\n", "package", "killed", "lived", "allowed", "timed out", "not covered", "efficacy")
	var k, l int
	for _, r := range results {
		mark := ""
		if minEff > 0 && r.efficacy() < minEff {
			mark, ok = "  < "+strconv.FormatFloat(minEff, 'f', -1, 64)+" %", false
		}
		fmt.Fprintf(w, "%-28s %7d %6d %8d %9d %11d %8.1f%%%s\n", r.pkg, r.killed, r.lived, r.allowed, r.timedOut, r.notCovered, r.efficacy(), mark)
		k += r.killed
		l += r.lived
	}
	if k+l > 0 {
		fmt.Fprintf(w, "%-28s %7d %6d %8s %9s %11s %8.1f%%\n", "total", k, l, "", "", "", 100*float64(k)/float64(k+l))
	}
	// An entry of a package that ran whose mutant was not a survivor:
	// lines move with edits, or a test now kills it.
	var stale []string
	for _, a := range allow {
		for _, r := range results {
			if !a.used && strings.HasPrefix(a.key, r.pkg+"/") && !strings.Contains(strings.TrimPrefix(a.key, r.pkg+"/"), "/") {
				stale = append(stale, a.key)
			}
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		fmt.Fprintf(w, "stale allow-list entry (not a survivor): %s\n", s)
	}
	return ok
}
