// Command regomut is mutation testing for the Rego rule catalog: for each
// rule file it deletes each condition in turn (replacing it with `true`),
// negates it and flips its comparison operator, runs that package's Rego
// tests against every mutant that compiles, and reports the mutants no
// test noticed (survivors) with file:line, and the score.
//
// Survivors that are deliberately redundant conditions (type guards,
// live-only guards that cannot change a config result) are listed in
// allow.txt, one `file:line reason` a line; they are reported as allowed
// and left out of the score, never skipped silently, and an entry that no
// longer matches a survivor is reported as stale.
//
//	go run ./tools/regomut                      # the whole catalog (make mutation)
//	go run ./tools/regomut -files ops.rego,tls.rego
//	go run ./tools/regomut -sample 120 -seed 1 -min-score 85   # make test
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/rules"
)

type options struct {
	files    string
	lib      bool
	sample   int
	seed     uint64
	minScore float64
	allow    string
	jobs     int
	timeout  time.Duration
	verbose  bool
	changed  bool
	maxChg   int
	lines    string
}

func main() {
	var o options
	flag.StringVar(&o.files, "files", "", "comma-separated rule files to mutate (ops.rego,tls.rego); default: every rule file")
	flag.BoolVar(&o.lib, "lib", false, "also mutate rules/lib (judged by every test)")
	flag.IntVar(&o.sample, "sample", 0, "run only N mutants, chosen with -seed (0: all)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the -sample choice")
	flag.Float64Var(&o.minScore, "min-score", 0, "exit 1 when the score (percent of non-allowed mutants killed) is lower")
	flag.StringVar(&o.allow, "allow", "tools/regomut/allow.txt", "allow-list of deliberately redundant conditions")
	flag.IntVar(&o.jobs, "j", runtime.GOMAXPROCS(0), "mutants run concurrently")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "time limit of one mutant's tests (a timeout counts as killed)")
	flag.BoolVar(&o.verbose, "v", false, "print every mutant's outcome")
	flag.BoolVar(&o.changed, "changed", false, "with -sample: also run every mutant of the rule files changed since the merge-base with origin/main (or main); the sample alone when there is no such ref")
	flag.IntVar(&o.maxChg, "changed-max", 600, "with -changed: at most this many mutants of the changed files (a seeded choice beyond it), to bound the time")
	flag.StringVar(&o.lines, "lines", "", "only mutants in these line ranges: file:from-to,... (tls.rego:700-800), for the code a change added")
	flag.Parse()
	ok, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "regomut:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// Allow is the allow-list: reasons by file:line (file is the base name
// under rules/, e.g. ops.rego:97).
type Allow map[string]string

func readAllow(p string) (Allow, error) {
	a := Allow{}
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("allow-list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, " ")
		file, num, ok := strings.Cut(key, ":")
		if _, err := strconv.Atoi(num); !ok || err != nil || !strings.HasSuffix(file, ".rego") {
			return nil, fmt.Errorf("%s:%d: want `file.rego:line reason`, got %q", p, n, line)
		}
		if strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: %s has no reason: say why the condition is redundant", p, n, key)
		}
		if _, dup := a[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", p, n, key)
		}
		a[key] = strings.TrimSpace(reason)
	}
	return a, sc.Err()
}

// allowKey is the allow-list key of a mutant: its path under rules/ and line.
func allowKey(m Mutant) string {
	return strings.TrimPrefix(m.File, "rules/") + ":" + strconv.Itoa(m.Line)
}

// typeGuard matches the deletion of a type check, counted apart in the
// report because those survivors need hostile-typed input, not new cases.
var typeGuard = regexp.MustCompile(`^delete is_(string|number|object|array|boolean|set|null)\(`)

type fileCount struct{ killed, survived, allowed int }

// pct is the score: killed / (killed + survived), 100 when nothing ran.
func pct(killed, survived int) float64 {
	if killed+survived == 0 {
		return 100
	}
	return 100 * float64(killed) / float64(killed+survived)
}

type result struct {
	m      Mutant
	o      Outcome
	killer string
}

func run(ctx context.Context, o options, w io.Writer) (bool, error) {
	cat, err := LoadCatalog(rules.FS, "rules")
	if err != nil {
		return false, err
	}
	allow, err := readAllow(o.allow)
	if err != nil {
		return false, err
	}
	files := cat.RuleFiles(o.lib)
	if o.files != "" {
		var sel []string
		for _, f := range strings.Split(o.files, ",") {
			f = strings.TrimSpace(f)
			name := path.Join("rules", strings.TrimPrefix(f, "rules/"))
			if _, ok := cat.Mods[name]; !ok || isTest(name) {
				return false, fmt.Errorf("-files: %s is not a rule file under rules/", f)
			}
			sel = append(sel, name)
		}
		files = sel
	}
	// The engine loads the catalog's data (rules/data) as the rules see it.
	eng, err := engine.New(ctx, engine.Options{CatalogOnly: true})
	if err != nil {
		return false, err
	}
	r := &Runner{Store: inmem.NewFromObject(map[string]any{"natsaudit": eng.Data}), Timeout: o.timeout}

	var all []Mutant
	for _, f := range files {
		// The unmutated package must pass, or every mutant would look killed.
		if out, killer, err := r.Run(ctx, cat.Set(f), f, cat.Src[f]); err != nil || out != Survived {
			return false, fmt.Errorf("%s: the tests fail without a mutation (%v %s %v)", f, out, killer, err)
		}
		all = append(all, Mutants(f, cat.Src[f], cat.Mods[f])...)
	}
	if o.lines != "" {
		sel, err := inRanges(all, o.lines)
		if err != nil {
			return false, err
		}
		all = sel
	}
	total := len(all)
	var changed []Mutant
	if o.changed {
		names, base, err := changedRuleFiles(ctx, files)
		if err != nil {
			fmt.Fprintf(w, "regomut: -changed: %v: the sample only\n", err)
		}
		set := map[string]bool{}
		for _, n := range names {
			set[n] = true
		}
		for _, m := range all {
			if set[m.File] {
				changed = append(changed, m)
			}
		}
		if len(names) > 0 {
			fmt.Fprintf(w, "regomut: %d rule files changed since %.12s (%s): %d mutants\n", len(names), base, strings.Join(names, ", "), len(changed))
		} else if err == nil {
			fmt.Fprintf(w, "regomut: no rule file changed since %.12s\n", base)
		}
		if o.maxChg > 0 && len(changed) > o.maxChg {
			fmt.Fprintf(w, "regomut: running a seeded choice of %d of them (-changed-max)\n", o.maxChg)
			changed = choose(changed, o.maxChg, o.seed)
		}
	}
	if o.sample > 0 && o.sample < len(all) {
		all = choose(all, o.sample, o.seed)
	}
	gated := len(all)
	if len(changed) > 0 {
		// The changed files' mutants in full, besides the fixed sample;
		// they come after it, and only the sample is gated (a branch that
		// touches a file with a lower score must not fail for that alone).
		seen := map[[2]int]map[string]bool{}
		key := func(m Mutant) [2]int { return [2]int{m.Start, m.End} }
		for _, m := range all {
			k := key(m)
			if seen[k] == nil {
				seen[k] = map[string]bool{}
			}
			seen[k][m.File+"\x00"+m.Repl] = true
		}
		for _, m := range changed {
			if !seen[key(m)][m.File+"\x00"+m.Repl] {
				all = append(all, m)
			}
		}
	}

	results := make([]result, len(all))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	start := time.Now()
	for range max(o.jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				m := all[i]
				out, killer, err := r.Run(ctx, cat.Set(m.File), m.File, m.Apply(cat.Src[m.File]))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
				results[i] = result{m, out, killer}
			}
		}()
	}
	for i := range all {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return false, firstErr
	}
	ok := report(w, o, results[:gated], allow, total, time.Since(start))
	if extra := results[gated:]; len(extra) > 0 {
		var k, sv int
		for _, r := range extra {
			switch r.o {
			case Killed, TimedOut:
				k++
			case Survived:
				if _, a := allow[allowKey(r.m)]; a {
					continue
				}
				sv++
				fmt.Fprintf(w, "%s:%d: SURVIVED (changed file): %s\n", r.m.File, r.m.Line, r.m.Desc)
			}
		}
		fmt.Fprintf(w, "regomut: changed files: %d more mutants: %d killed, %d survived: %.1f%% (printed, not gated)\n", len(extra), k, sv, pct(k, sv))
	}
	return ok, nil
}

// choose returns n of the mutants, a fixed pseudo-random choice for seed,
// in file and source order.
func choose(all []Mutant, n int, seed uint64) []Mutant {
	c := append([]Mutant(nil), all...)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	c = c[:n]
	sortMutants(c)
	return c
}

func sortMutants(all []Mutant) {
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].File != all[j].File {
			return all[i].File < all[j].File
		}
		return all[i].Start < all[j].Start
	})
}

// changedRuleFiles returns the rule files among files (rules/x.rego) that
// differ from the merge-base of HEAD with origin/main, or with main when
// there is no origin/main; a changed test file (x_test.rego) selects its
// rule file, as its tests decide that file's mutants.
func changedRuleFiles(ctx context.Context, files []string) ([]string, string, error) {
	var base string
	for _, ref := range []string{"origin/main", "main"} {
		out, err := exec.CommandContext(ctx, "git", "merge-base", "HEAD", ref).Output()
		if err == nil {
			base = strings.TrimSpace(string(out))
			break
		}
	}
	if base == "" {
		return nil, "", fmt.Errorf("no merge-base with origin/main or main (a clone without those refs?)")
	}
	out, err := exec.CommandContext(ctx, "git", "diff", "--name-only", base, "--", "rules").Output()
	if err != nil {
		return nil, base, fmt.Errorf("git diff %s: %w", base, err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f] = true
	}
	sel := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if f := strings.Replace(l, "_test.rego", ".rego", 1); want[f] {
			sel[f] = true
		}
	}
	names := make([]string, 0, len(sel))
	for f := range sel {
		names = append(names, f)
	}
	sort.Strings(names)
	return names, base, nil
}

func report(w io.Writer, o options, results []result, allow Allow, total int, took time.Duration) bool {
	var killed, survived, allowed, invalid, timeouts, guards int
	allowUsed := map[string]bool{}
	mutatedLines := map[string]bool{}
	perFile := map[string]*fileCount{}
	for _, r := range results {
		key := allowKey(r.m)
		fc := perFile[r.m.File]
		if fc == nil {
			fc = &fileCount{}
			perFile[r.m.File] = fc
		}
		if r.o != Invalid {
			mutatedLines[key] = true
		}
		if o.verbose && r.o != Survived {
			fmt.Fprintf(w, "%s:%d: %s: %s %s\n", r.m.File, r.m.Line, r.o, r.m.Desc, r.killer)
		}
		switch r.o {
		case Killed:
			killed++
			fc.killed++
		case TimedOut:
			killed++
			fc.killed++
			timeouts++
		case Invalid:
			invalid++
		case Survived:
			if reason, ok := allow[key]; ok {
				allowed++
				fc.allowed++
				allowUsed[key] = true
				fmt.Fprintf(w, "%s:%d: allowed (%s): %s\n", r.m.File, r.m.Line, reason, r.m.Desc)
				continue
			}
			survived++
			fc.survived++
			if typeGuard.MatchString(r.m.Desc) {
				guards++
			}
			fmt.Fprintf(w, "%s:%d: SURVIVED: %s\n", r.m.File, r.m.Line, r.m.Desc)
		}
	}
	// A stale entry hides nothing today but would hide a real survivor
	// tomorrow (a line number that moved): say so. Only when every
	// mutant of the line ran, i.e. without -sample.
	if o.sample == 0 {
		keys := make([]string, 0, len(allow))
		for k := range allow {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if mutatedLines[k] && !allowUsed[k] {
				fmt.Fprintf(w, "rules/%s: stale allow-list entry: every mutant of the line is killed; remove it\n", k)
			}
		}
	}
	// Per file, so that a table of scores (docs/testing.md) and the file
	// with most survivors are one run away.
	if len(perFile) > 1 {
		names := make([]string, 0, len(perFile))
		for f := range perFile {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			c := perFile[f]
			fmt.Fprintf(w, "regomut: %s: %d killed, %d survived, %d allowed: %.1f%%\n", f, c.killed, c.survived, c.allowed, pct(c.killed, c.survived))
		}
	}
	score := pct(killed, survived)
	fmt.Fprintf(w, "regomut: %d of %d mutants run, %d compiled: %d killed (%d by timeout), %d survived, %d allowed; %d did not compile\n",
		len(results), total, len(results)-invalid, killed, timeouts, survived, allowed, invalid)
	if guards > 0 {
		// Not excluded: a guard that matters needs a test with a value of
		// the wrong type; one that cannot matter belongs in the allow-list.
		fmt.Fprintf(w, "regomut: %d of the %d survivors delete a type guard (is_string, is_object...): test them with wrongly typed input, or allow-list them with a reason\n", guards, survived)
	}
	fmt.Fprintf(w, "regomut: score %.1f%% (killed / (killed + survived), allow-listed excluded) in %s\n", score, took.Round(time.Second))
	if score < o.minScore {
		fmt.Fprintf(w, "regomut: score %.1f%% is below -min-score %.1f%%\n", score, o.minScore)
		return false
	}
	return true
}

// inRanges keeps the mutants whose line is in one of the ranges
// "file:from-to" (file as for -files).
func inRanges(all []Mutant, spec string) ([]Mutant, error) {
	type span struct {
		file     string
		from, to int
	}
	var spans []span
	for _, r := range strings.Split(spec, ",") {
		f, lines, ok := strings.Cut(strings.TrimSpace(r), ":")
		a, b, ok2 := strings.Cut(lines, "-")
		from, err1 := strconv.Atoi(a)
		to, err2 := strconv.Atoi(b)
		if !ok || !ok2 || err1 != nil || err2 != nil || from > to {
			return nil, fmt.Errorf("-lines: %q is not file:from-to", r)
		}
		spans = append(spans, span{path.Join("rules", strings.TrimPrefix(f, "rules/")), from, to})
	}
	var out []Mutant
	for _, m := range all {
		for _, sp := range spans {
			if m.File == sp.file && m.Line >= sp.from && m.Line <= sp.to {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}
