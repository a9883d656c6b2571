package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// sample measures a package on n of its mutants, chosen with seed among
// those Gremlins would run: Gremlins lists them (--dry-run: its coverage
// run only), and each chosen one is tested through a build overlay as
// recheck does. On a loaded 2-core machine a mutant costs 10-30 s (a build
// and a link of the package's tests), so a whole package of 300 mutants
// takes hours; a fixed sample gives an estimate in minutes. The result is
// written in Gremlins' JSON format (the mutants not drawn are left out), so
// that -report and -recheck read it like a full run.
func sample(t target, n int, seed uint64, out string) error {
	dry := out + ".dry"
	args := []string{"run", gremlins, "unleash", "--dry-run", "-o", dry}
	ex, err := excludeArgs(t)
	if err != nil {
		return err
	}
	args = append(args, ex...)
	args = append(args, t.pkg)
	cmd := exec.Command("go", args...)
	flags := "-count=1 -trimpath"
	if t.skip != "" {
		flags += " -skip=" + t.skip
	}
	cmd.Env = append(os.Environ(), "GOFLAGS="+flags)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("gremlins --dry-run: %v\n%s", err, b)
	}
	b, err := os.ReadFile(dry)
	if err != nil {
		return err
	}
	var g gremlinsOutput
	if err := json.Unmarshal(b, &g); err != nil {
		return fmt.Errorf("parse %s: %w", dry, err)
	}
	pkgDir := strings.TrimPrefix(t.pkg, "./")
	var runnable []string
	notCovered := 0
	for _, f := range g.Files {
		// Gremlins names files from the package directory
		file := filepath.ToSlash(f.Filename)
		if !strings.HasPrefix(file, pkgDir+"/") {
			file = pkgDir + "/" + file
		}
		for _, m := range f.Mutations {
			switch m.Status {
			case "RUNNABLE":
				runnable = append(runnable, fmt.Sprintf("%s:%d:%d %s", file, m.Line, m.Column, m.Type))
			case "NOT COVERED":
				notCovered++
			}
		}
	}
	// Gremlins lists files in map order: sort before drawing, so that a
	// seed always picks the same mutants of the same code.
	sort.Strings(runnable)
	r := rand.New(rand.NewPCG(seed, 0))
	r.Shuffle(len(runnable), func(i, j int) { runnable[i], runnable[j] = runnable[j], runnable[i] })
	if n < len(runnable) {
		runnable = runnable[:n]
	}
	sort.Strings(runnable)
	fmt.Printf("== %s: %d of its runnable mutants (seed %d), %d not covered\n", t.pkg, len(runnable), seed, notCovered)
	statuses, err := runMutants(t, runnable)
	if err != nil {
		return err
	}
	type mut struct {
		Type   string `json:"type"`
		Status string `json:"status"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
	}
	byFile := map[string][]mut{}
	for i, sv := range runnable {
		loc, typ, _ := strings.Cut(sv, " ")
		p := strings.Split(loc, ":")
		line, _ := strconv.Atoi(p[1])
		col, _ := strconv.Atoi(p[2])
		byFile[p[0]] = append(byFile[p[0]], mut{typ, statuses[i], line, col})
	}
	for i := 0; i < notCovered; i++ {
		byFile["(not covered)"] = append(byFile["(not covered)"], mut{Status: "NOT COVERED"})
	}
	type file struct {
		Filename  string `json:"file_name"`
		Mutations []mut  `json:"mutations"`
	}
	res := struct {
		Files  []file `json:"files"`
		Sample int    `json:"sample"`
		Seed   uint64 `json:"seed"`
	}{Sample: n, Seed: seed}
	for f, ms := range byFile {
		res.Files = append(res.Files, file{f, ms})
	}
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Filename < res.Files[j].Filename })
	j, _ := json.Marshal(res)
	return os.WriteFile(out, j, 0o644)
}
