package main

import (
	"encoding/json"
	"fmt"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tokenMutations are Gremlins' (v0.6.0, internal/engine/mappings.go) for the
// mutator types .gremlins.yaml enables: recheck applies a survivor's
// mutation the way Gremlins did.
var tokenMutations = map[string]map[token.Token]token.Token{
	"ARITHMETIC_BASE":       {token.ADD: token.SUB, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL, token.SUB: token.ADD},
	"CONDITIONALS_BOUNDARY": {token.GEQ: token.GTR, token.GTR: token.GEQ, token.LEQ: token.LSS, token.LSS: token.LEQ},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR, token.LSS: token.GEQ, token.NEQ: token.EQL},
	"INCREMENT_DECREMENT":   {token.DEC: token.INC, token.INC: token.DEC},
	"INVERT_LOGICAL":        {token.LAND: token.LOR, token.LOR: token.LAND},
	"INVERT_NEGATIVES":      {token.SUB: token.ADD},
}

// mutate returns src with the token at line:col replaced as mutator typ
// replaces it.
func mutate(src []byte, line, col int, typ string) ([]byte, error) {
	m, ok := tokenMutations[typ]
	if !ok {
		return nil, fmt.Errorf("mutator %s is not known to recheck", typ)
	}
	fset := token.NewFileSet()
	f := fset.AddFile("x.go", -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, nil, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			return nil, fmt.Errorf("no token at %d:%d", line, col)
		}
		p := fset.Position(pos)
		if p.Line != line || p.Column != col {
			continue
		}
		to, ok := m[tok]
		if !ok {
			return nil, fmt.Errorf("%s at %d:%d is not mutated by %s", tok, line, col, typ)
		}
		off := f.Offset(pos)
		out := append([]byte{}, src[:off]...)
		out = append(out, to.String()...)
		return append(out, src[off+len(tok.String()):]...), nil
	}
}

// recheck runs the tests of a package against each of its survivors again,
// one at a time, through a build overlay (the worktree is never modified):
// after adding tests, it says which survivors they kill without running
// every mutant again. It returns the survivors still alive.
func recheck(t target, survivors []string) (alive []string, killed int, err error) {
	st, err := runMutants(t, survivors)
	if err != nil {
		return nil, 0, err
	}
	for i, s := range st {
		switch s {
		case "LIVED":
			alive = append(alive, survivors[i])
		case "KILLED":
			killed++
		}
	}
	return alive, killed, nil
}

// mutantTimeout bounds one mutant's test run (go test -timeout); -timeout
// sets it.
var mutantTimeout = 3 * time.Minute

// runMutants tests each mutant ("file:line:col TYPE") of package t through
// a build overlay, one at a time, and returns its status as Gremlins names
// them: KILLED (a test failed), LIVED, or NOT VIABLE (it did not build).
func runMutants(t target, mutants []string) ([]string, error) {
	dir, err := os.MkdirTemp("", "gomut-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var out []string
	for i, sv := range mutants {
		loc, typ, _ := strings.Cut(sv, " ")
		parts := strings.Split(loc, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("bad mutant %q", sv)
		}
		line, _ := strconv.Atoi(parts[1])
		col, _ := strconv.Atoi(parts[2])
		src, err := os.ReadFile(parts[0])
		if err != nil {
			return nil, err
		}
		mut, err := mutate(src, line, col, typ)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (has the file changed since the run?)", sv, err)
		}
		abs, err := filepath.Abs(parts[0])
		if err != nil {
			return nil, err
		}
		mf := filepath.Join(dir, strconv.Itoa(i)+".go")
		if err := os.WriteFile(mf, mut, 0o644); err != nil {
			return nil, err
		}
		ov, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: mf}})
		of := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(of, ov, 0o644); err != nil {
			return nil, err
		}
		args := []string{"test", "-count=1", "-failfast", "-timeout=" + mutantTimeout.String(), "-overlay=" + of}
		if t.skip != "" {
			args = append(args, "-skip="+t.skip)
		}
		cmd := exec.Command("go", append(args, t.pkg)...)
		b, err := cmd.CombinedOutput()
		status := "LIVED"
		if err != nil {
			status = "KILLED"
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || strings.Contains(string(b), "[build failed]") || strings.Contains(string(b), "[setup failed]") {
				status = "NOT VIABLE"
			} else if strings.Contains(string(b), "panic: test timed out after") {
				// a mutant that loops: Gremlins counts it apart
				// (neither killed nor lived), and so do we
				status = "TIMED OUT"
			}
		}
		why := ""
		if status == "KILLED" {
			// the first failing test, to tell a real kill from a
			// flaky one
			for _, l := range strings.Split(string(b), "\n") {
				if f, ok := strings.CutPrefix(strings.TrimSpace(l), "--- FAIL: "); ok {
					why = " (" + strings.Fields(f)[0] + ")"
					break
				}
			}
		}
		fmt.Printf("  %-10s %s%s\n", status, sv, why)
		out = append(out, status)
	}
	return out, nil
}
