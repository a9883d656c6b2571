// Command bench times whole processes, the way a user or CI runs them: wall
// time (median and minimum of several runs), CPU time (user+system) and peak
// resident memory (the kernel's maxrss of the child). It prints a Markdown
// table; `make bench` uses it for the end-to-end rows of docs/performance.md.
//
//	bench [-runs 10] [-warmup 1] -case 'name=command args...' [-case ...]
//
// A case's command is split on spaces (no shell): paths with spaces are not
// supported, which keeps the timing free of a shell's start-up. An argument
// "glob:PATTERN" is replaced by the files matching PATTERN (to hand Conftest
// the same files without a shell). Names must not contain "=". Exit codes 0
// and 1 count as success (natsaudit exits 1 when it has findings).
//
// With -gobench FILE it also reads `go test -bench` output and prints it as
// a table in milliseconds.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type caseFlag []string

func (c *caseFlag) String() string     { return strings.Join(*c, "; ") }
func (c *caseFlag) Set(v string) error { *c = append(*c, v); return nil }

type result struct {
	name     string
	wall     []time.Duration
	cpu      []time.Duration
	maxRSSKB int64
	runs     int
	err      error
}

func main() {
	var cases caseFlag
	runs := flag.Int("runs", 10, "timed runs per case")
	warmup := flag.Int("warmup", 1, "untimed runs first (page cache, binary loading)")
	gobench := flag.String("gobench", "", "also print this `go test -bench` output file as a table")
	flag.Var(&cases, "case", "name=command (repeatable)")
	var targets, ratios, pers caseFlag
	flag.Var(&targets, "target", "'label|case|max wall ms|max RSS MB' (0: no limit; repeatable): a row of the targets table")
	flag.Var(&ratios, "ratio", "'label|case A|case B|max A/B' (repeatable): wall-time ratio row of the targets table")
	flag.Var(&pers, "per", "'label|case|N|unit' (repeatable): CPU and wall time per unit (e.g. per service) row")
	flag.Parse()
	if len(cases) == 0 && *gobench == "" {
		fmt.Fprintln(os.Stderr, "usage: bench [-runs N] -case 'name=cmd args' ... | -gobench FILE")
		os.Exit(2)
	}
	if *gobench != "" {
		if err := printGoBench(os.Stdout, *gobench); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	if len(cases) == 0 {
		return
	}
	var results []*result
	failed := false
	for _, c := range cases {
		name, cmdline, ok := strings.Cut(c, "=")
		if !ok || strings.TrimSpace(cmdline) == "" {
			fmt.Fprintf(os.Stderr, "bench: -case %q: want name=command\n", c)
			os.Exit(2)
		}
		argv, err := expand(strings.Fields(cmdline))
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			os.Exit(2)
		}
		r, err := measure(name, argv, *warmup, *runs)
		if err != nil {
			// Keep going: one failing case (e.g. an evaluation timeout on
			// the largest repo) should not hide the others' numbers.
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			r = &result{name: name, err: err}
			failed = true
		}
		results = append(results, r)
	}
	fmt.Println()
	fmt.Println("| case | wall median | wall min | CPU (user+sys) median | peak RSS | runs |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, r := range results {
		if r.err != nil {
			fmt.Printf("| %s | failed: %s | | | | |\n", r.name, strings.ReplaceAll(r.err.Error(), "|", "/"))
			continue
		}
		fmt.Printf("| %s | %s | %s | %s | %d MB | %d |\n", r.name, ms(median(r.wall)), ms(minimum(r.wall)), ms(median(r.cpu)), (r.maxRSSKB+512)/1024, r.runs)
	}
	if len(targets)+len(ratios)+len(pers) > 0 {
		byName := map[string]*result{}
		for _, r := range results {
			if r.err == nil {
				byName[r.name] = r
			}
		}
		fmt.Println()
		if err := printTargets(os.Stdout, byName, targets, ratios, pers); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// printTargets prints one table: each target's measured value, its limit
// and whether it is met. A target whose case failed or was not run (a peer
// that could not be installed) says so instead of a number.
func printTargets(w io.Writer, res map[string]*result, targets, ratios, pers []string) error {
	fmt.Fprintln(w, "| target | measured | limit | status |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	missing := func(label, c string) {
		fmt.Fprintf(w, "| %s | | | skipped: case %q did not run or failed |\n", label, c)
	}
	for _, t := range targets {
		f := strings.Split(t, "|")
		if len(f) != 4 {
			return fmt.Errorf("-target %q: want label|case|max wall ms|max RSS MB", t)
		}
		maxWall, err1 := strconv.Atoi(f[2])
		maxRSS, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("-target %q: limits must be integers", t)
		}
		r := res[f[1]]
		if r == nil {
			missing(f[0], f[1])
			continue
		}
		wall, rss := median(r.wall), (r.maxRSSKB+512)/1024
		var limit []string
		met := true
		if maxWall > 0 {
			limit = append(limit, fmt.Sprintf("≤ %d ms", maxWall))
			met = met && wall <= time.Duration(maxWall)*time.Millisecond
		}
		if maxRSS > 0 {
			limit = append(limit, fmt.Sprintf("≤ %d MB", maxRSS))
			met = met && rss <= int64(maxRSS)
		}
		fmt.Fprintf(w, "| %s | %s wall (CPU %s), %d MB | %s | %s |\n", f[0], ms(wall), ms(median(r.cpu)), rss, strings.Join(limit, ", "), status(met))
	}
	for _, t := range ratios {
		f := strings.Split(t, "|")
		if len(f) != 4 {
			return fmt.Errorf("-ratio %q: want label|case A|case B|max", t)
		}
		max, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return fmt.Errorf("-ratio %q: %w", t, err)
		}
		a, b := res[f[1]], res[f[2]]
		switch {
		case a == nil:
			missing(f[0], f[1])
			continue
		case b == nil:
			missing(f[0], f[2])
			continue
		}
		x := float64(median(a.wall)) / float64(median(b.wall))
		c := float64(median(a.cpu)) / float64(median(b.cpu))
		fmt.Fprintf(w, "| %s | %s× wall (%s× CPU) | ≤ %.1f× | %s |\n", f[0], ratioText(x), ratioText(c), max, status(x <= max))
	}
	for _, t := range pers {
		f := strings.Split(t, "|")
		if len(f) != 4 {
			return fmt.Errorf("-per %q: want label|case|N|unit", t)
		}
		n, err := strconv.Atoi(f[2])
		if err != nil || n <= 0 {
			return fmt.Errorf("-per %q: N must be a positive integer", t)
		}
		r := res[f[1]]
		if r == nil {
			missing(f[0], f[1])
			continue
		}
		fmt.Fprintf(w, "| %s | %.2f ms CPU, %.2f ms wall per %s | constant | see the curve |\n", f[0], float64(median(r.cpu))/float64(time.Millisecond)/float64(n), float64(median(r.wall))/float64(time.Millisecond)/float64(n), f[3])
	}
	return nil
}

func status(met bool) string {
	if met {
		return "met"
	}
	return "**not met**"
}

// expand replaces glob:PATTERN arguments by the matching paths.
func expand(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		pat, ok := strings.CutPrefix(a, "glob:")
		if !ok {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(pat)
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%s matches no file", pat)
		}
		out = append(out, m...)
	}
	return out, nil
}

func measure(name string, argv []string, warmup, runs int) (*result, error) {
	r := &result{name: name}
	for i := 0; i < warmup+runs; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
				return nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
			}
		}
		if i < warmup {
			continue
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if ok {
			cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			r.cpu = append(r.cpu, cpu)
			if ru.Maxrss > r.maxRSSKB {
				r.maxRSSKB = ru.Maxrss // kilobytes on Linux
			}
		}
		r.wall = append(r.wall, wall)
		r.runs++
	}
	return r, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func minimum(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

// printGoBench turns `go test -bench -benchmem` lines into a table.
func printGoBench(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pkg := ""
	fmt.Fprintln(w, "| package | benchmark | time/op | alloc/op | allocs/op | other |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---|")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/natsaudit/natsaudit/")
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 {
			continue
		}
		name := strings.TrimPrefix(fields[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // the GOMAXPROCS suffix
			}
		}
		var tm, alloc, allocs string
		var other []string
		for i := 2; i+1 < len(fields); i += 2 {
			v, unit := fields[i], fields[i+1]
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			switch unit {
			case "ns/op":
				tm = fmt.Sprintf("%.2f ms", x/1e6)
			case "B/op":
				alloc = fmt.Sprintf("%.1f MB", x/1e6)
			case "allocs/op":
				allocs = fmt.Sprintf("%.0f", x)
			default:
				other = append(other, fmt.Sprintf("%s %s", v, unit))
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", pkg, name, tm, alloc, allocs, strings.Join(other, ", "))
	}
	return sc.Err()
}

// ratioText prints a ratio with one decimal, or two significant digits
// under 0.1 (natsaudit / Trivy is about 0.03: "0.0×" would say nothing).
func ratioText(x float64) string {
	if x > 0 && x < 0.1 {
		return strconv.FormatFloat(x, 'g', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}
