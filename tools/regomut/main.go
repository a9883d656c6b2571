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
	if o.sample > 0 && o.sample < len(all) {
		rng := rand.New(rand.NewPCG(o.seed, 0x5eed))
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		all = all[:o.sample]
		sort.SliceStable(all, func(i, j int) bool {
			if all[i].File != all[j].File {
				return all[i].File < all[j].File
			}
			return all[i].Start < all[j].Start
		})
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
	return report(w, o, results, allow, total, time.Since(start)), nil
}

func report(w io.Writer, o options, results []result, allow Allow, total int, took time.Duration) bool {
	var killed, survived, allowed, invalid, timeouts, guards int
	allowUsed := map[string]bool{}
	mutatedLines := map[string]bool{}
	for _, r := range results {
		key := allowKey(r.m)
		if r.o != Invalid {
			mutatedLines[key] = true
		}
		if o.verbose && r.o != Survived {
			fmt.Fprintf(w, "%s:%d: %s: %s %s\n", r.m.File, r.m.Line, r.o, r.m.Desc, r.killer)
		}
		switch r.o {
		case Killed:
			killed++
		case TimedOut:
			killed++
			timeouts++
		case Invalid:
			invalid++
		case Survived:
			if reason, ok := allow[key]; ok {
				allowed++
				allowUsed[key] = true
				fmt.Fprintf(w, "%s:%d: allowed (%s): %s\n", r.m.File, r.m.Line, reason, r.m.Desc)
				continue
			}
			survived++
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
	ran := killed + survived
	score := 100.0
	if ran > 0 {
		score = 100 * float64(killed) / float64(ran)
	}
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
