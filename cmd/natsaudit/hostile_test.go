package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile and broken files, end to end: the real binary (this test binary
// run as "natsaudit", see TestMain) scans a repository holding one hostile
// input next to a sound nats.conf. Each scan must finish in seconds, stay
// under a few hundred MB of memory (peak RSS of the process, from wait4),
// report the input with a clear message, and still read the rest.
// docs/robustness.md lists the cases.

const (
	hostileTime = 15 * time.Second // the rules compile in about a second; the rest is the input
	hostileRSS  = 300 << 10        // KB
)

type cliRun struct {
	code           int
	stdout, stderr string
	report         struct {
		Errors []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"errors"`
		Findings []struct {
			RuleID   string `json:"rule_id"`
			Message  string `json:"message"`
			Location *struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"findings"`
		Notes []string `json:"notes"`
	}
	elapsed time.Duration
	maxRSS  int64 // KB
}

// natsauditBinary is this test binary under the name "natsaudit", in a
// directory anyone can read (for the unprivileged run).
func natsauditBinary(t *testing.T) string {
	t.Helper()
	src, err := exec.LookPath("natsaudit") // set up by testscript.RunMain
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o755))
	must(t, os.Chmod(filepath.Dir(dir), 0o755)) // t.TempDir's parent is private
	dst := filepath.Join(dir, "natsaudit")
	in, err := os.Open(src)
	must(t, err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	must(t, err)
	_, err = io.Copy(out, in)
	must(t, err)
	must(t, out.Close())
	return dst
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// scanRepo runs `natsaudit scan <args> --format json --output <tmp>` plus
// the text report on stdout, with an optional uid to run as.
func scanRepo(t *testing.T, bin string, uid int, args ...string) cliRun {
	t.Helper()
	full := append([]string{"scan"}, args...)
	full = append(full, "--fail-on", "never", "--no-color")
	r := runBin(t, bin, runOpts{uid: uid, maxRSS: hostileRSS, textOnStdout: true}, full...)
	return r
}

// runOpts are how runBin runs the binary and what it must stay under.
type runOpts struct {
	uid    int // run as this user (0: as the test)
	maxRSS int64
	// killRSS stops the process when its resident set goes over this (KB):
	// an unbounded input must fail the test, not take the machine's memory
	// (0: 2 GB).
	killRSS      int64
	limit        time.Duration // kill after this (0: hostileTime)
	env          []string      // the environment (nil: none but PATH and HOME)
	textOnStdout bool          // add --format text --output - before the JSON report
}

// runBin runs the binary with args plus --format json --output <tmp> (read
// into r.report), measuring its time and peak memory (wait4's maxrss). A
// process that grows over killRSS or runs longer than the limit is killed
// and the test fails.
func runBin(t *testing.T, bin string, o runOpts, args ...string) cliRun {
	t.Helper()
	if o.killRSS == 0 {
		o.killRSS = 2 << 20
	}
	if o.limit == 0 {
		o.limit = hostileTime
	}
	jsonOut := filepath.Join(t.TempDir(), "report.json")
	if o.uid != 0 {
		must(t, os.Chmod(filepath.Dir(jsonOut), 0o777))
		must(t, os.Chmod(filepath.Dir(filepath.Dir(jsonOut)), 0o755))
	}
	full := append([]string{}, args...)
	if o.textOnStdout {
		full = append(full, "--format", "text", "--output", "-")
	}
	full = append(full, "--format", "json", "--output", jsonOut)
	cmd := exec.Command(bin, full...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, o.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if o.uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.uid)}}
	}
	start := time.Now()
	must(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var r cliRun
	killed := ""
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(o.limit)
wait:
	for {
		select {
		case <-done:
			break wait
		case <-deadline:
			killed = fmt.Sprintf("still running after %s", o.limit)
		case <-tick.C:
			if rss := vmRSS(cmd.Process.Pid); rss > o.killRSS {
				killed = fmt.Sprintf("resident set of %d MB, over %d MB", rss>>10, o.killRSS>>10)
			}
		}
		if killed != "" {
			_ = cmd.Process.Kill()
			<-done
			break
		}
	}
	r.elapsed = time.Since(start)
	r.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	if killed != "" {
		t.Fatalf("natsaudit %s: killed: %s (peak RSS %d MB)\nstderr: %s", strings.Join(args, " "), killed, r.maxRSS>>10, r.stderr)
	}
	if b, err := os.ReadFile(jsonOut); err == nil && len(b) > 0 {
		must(t, json.Unmarshal(b, &r.report))
	}
	if o.maxRSS > 0 && r.maxRSS > o.maxRSS {
		t.Errorf("peak memory %d MB, want under %d MB", r.maxRSS>>10, o.maxRSS>>10)
	}
	t.Logf("natsaudit %s: exit %d in %s, peak RSS %d MB", strings.Join(args, " "), r.code, r.elapsed.Round(time.Millisecond), r.maxRSS>>10)
	return r
}

// vmRSS is a process's current resident set in KB (0 when unknown).
func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb
		}
	}
	return 0
}

func (r cliRun) hasError(file string, line int, msg string) bool {
	for _, e := range r.report.Errors {
		if e.File == file && (line < 0 || e.Line == line) && strings.Contains(e.Message, msg) {
			return true
		}
	}
	return false
}

// ops005 reports whether a NATS-OPS-005 finding points at file.
func (r cliRun) ops005(file string) bool {
	for _, f := range r.report.Findings {
		if f.RuleID == "NATS-OPS-005" && f.Location != nil && f.Location.File == file {
			return true
		}
	}
	return false
}

func (r cliRun) hasNote(sub string) bool {
	for _, n := range r.report.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// repo writes files (name → content) into a fresh directory with a sound
// nats.conf beside them.
func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["good/nats.conf"] = "server_name: good\nport: 4222\nhttp: \"127.0.0.1:8222\"\n"
	for name, content := range files {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func (r cliRun) readGood(t *testing.T) {
	t.Helper()
	if r.code != 0 {
		t.Errorf("exit %d, want 0 (findings, --fail-on never); stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "server good") {
		t.Errorf("the sound config next to the hostile input was not read:\n%s", r.stdout)
	}
}

func aliasBomb(top string) string {
	var b strings.Builder
	b.WriteString("x0: &x0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &x%d {<<: [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*x%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString(top)
	return b.String()
}

func TestHostileFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory from wait4 and FIFOs: Linux")
	}
	bin := natsauditBinary(t)

	t.Run("include cycle", func(t *testing.T) {
		dir := repo(t, map[string]string{"nats-a.conf": "port: 4222\ninclude nats-b.conf\n", "nats-b.conf": "include nats-a.conf\n"})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		// Each file of the cycle includes the other: both are read as
		// configurations, each reporting the cycle where it closes.
		if !r.hasError("nats-b.conf", 1, "include cycle: nats-a.conf -> nats-b.conf -> nats-a.conf") || !r.ops005("nats-b.conf") ||
			!r.hasError("nats-a.conf", 2, "include cycle: nats-b.conf -> nats-a.conf -> nats-b.conf") {
			t.Errorf("errors = %+v", r.report.Errors)
		}
	})

	t.Run("include outside the root", func(t *testing.T) {
		dir := repo(t, map[string]string{"nats.conf": "port: 4222\ninclude ../../../../../../../../etc/passwd\ninclude /etc/passwd\n"})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !r.hasError("nats.conf", 2, "points outside the scanned tree; not read") || !r.ops005("nats.conf") {
			t.Errorf("errors = %+v", r.report.Errors)
		}
		if !r.hasError("nats.conf", 3, "relative to the including file's directory: etc/passwd") {
			t.Errorf("errors = %+v", r.report.Errors)
		}
		if strings.Contains(r.stdout, "root:x:0:0") {
			t.Error("the content of /etc/passwd was read")
		}
	})

	t.Run("20,000 levels of nesting", func(t *testing.T) {
		dir := repo(t, map[string]string{"nats.conf": strings.Repeat("a {", 20000) + strings.Repeat("}", 20000) + "\n"})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !r.hasError("nats.conf", -1, "blocks nested 20000 levels deep (limit 64); not parsed") || !r.ops005("nats.conf") {
			t.Errorf("errors = %+v", r.report.Errors)
		}
	})

	t.Run("100,000 errors in one file", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < 100000; i++ {
			fmt.Fprintf(&b, "unknown_%d: 1\n", i)
		}
		dir := repo(t, map[string]string{"nats.conf": b.String()})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if len(r.report.Errors) != 51 || !r.hasError("nats.conf", 0, "99950 more errors in this file are not listed") {
			t.Errorf("%d errors, last %+v", len(r.report.Errors), r.report.Errors[len(r.report.Errors)-1])
		}
	})

	t.Run("30 MB file", func(t *testing.T) {
		dir := repo(t, map[string]string{})
		f, err := os.Create(filepath.Join(dir, "nats.conf"))
		must(t, err)
		must(t, f.Truncate(30<<20))
		must(t, f.Close())
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		reason := "skipped nats.conf: file is 31457280 bytes, over the 10485760-byte limit (--max-file-size)"
		if !r.hasNote(reason) || !strings.Contains(r.stderr, "natsaudit: warning: "+reason+"\n") {
			t.Errorf("notes = %v, stderr %q", r.report.Notes, r.stderr)
		}
	})

	t.Run("binary garbage named nats.conf", func(t *testing.T) {
		garbage := make([]byte, 4096)
		for i := range garbage {
			garbage[i] = byte(i*7 + i/13)
		}
		dir := repo(t, map[string]string{"nats.conf": string(garbage)})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !r.hasError("nats.conf", 0, "not a text file (binary content)") || !r.ops005("nats.conf") {
			t.Errorf("errors = %+v", r.report.Errors)
		}
		for _, c := range r.stdout {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0xFFFD {
				t.Fatalf("the text report prints binary content: %q", r.stdout)
			}
		}
	})

	t.Run("non-UTF-8 text", func(t *testing.T) {
		dir := repo(t, map[string]string{"nats-latin1.conf": "server_name: \"caf\xe9\"\nport: 4222\nmax_payload: \xff\xfe\n"})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !strings.Contains(r.stdout, "server café") && !strings.Contains(r.stdout, "server caf\uFFFD") {
			t.Errorf("the Latin-1 config was not read:\n%s", r.stdout)
		}
	})

	t.Run("YAML alias bombs", func(t *testing.T) {
		dir := repo(t, map[string]string{
			"docker-compose.yml":  aliasBomb("services:\n  nats:\n    <<: *x8\n    image: nats:2.10.1\n"),
			"streams/orders.yaml": aliasBomb("apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nspec:\n  name: orders\n  subjects: [orders.>]\n  placement: *x8\n"),
			"streams/orders.json": `{"name": "orders", "subjects": [` + strings.Repeat(`"a",`, 600000) + `"a"]}`,
		})
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !r.hasError("docker-compose.yml", 0, "document expands to too many nodes (YAML alias bomb?)") || !r.ops005("docker-compose.yml") {
			t.Errorf("compose: errors = %+v", r.report.Errors)
		}
		if !r.hasError("streams/orders.yaml", -1, "placement: document contains excessive aliasing") {
			t.Errorf("NACK: errors = %+v", r.report.Errors)
		}
		if !r.hasError("streams/orders.json", 0, "over the limit of 500000; not read") {
			t.Errorf("stream JSON: errors = %+v", r.report.Errors)
		}
	})

	t.Run("symlink loops", func(t *testing.T) {
		dir := repo(t, map[string]string{})
		must(t, os.Symlink("b.conf", filepath.Join(dir, "a.conf")))
		must(t, os.Symlink("a.conf", filepath.Join(dir, "b.conf")))
		must(t, os.Symlink("..", filepath.Join(dir, "good", "up")))
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !r.hasNote("skipped a.conf: broken or looping symlink") || !strings.Contains(r.stderr, "skipped b.conf: broken or looping symlink") {
			t.Errorf("notes = %v, stderr %q", r.report.Notes, r.stderr)
		}
	})

	t.Run("FIFO named nats.conf", func(t *testing.T) {
		dir := repo(t, map[string]string{})
		must(t, syscall.Mkfifo(filepath.Join(dir, "nats.conf"), 0o644))
		r := scanRepo(t, bin, 0, dir)
		r.readGood(t)
		if !r.hasNote("skipped nats.conf: not a regular file (a FIFO, device or socket); not read") {
			t.Errorf("notes = %v", r.report.Notes)
		}
		// Named on the command line, and included by a config.
		must(t, os.WriteFile(filepath.Join(dir, "main-nats.conf"), []byte("port: 4222\ninclude nats.conf\n"), 0o644))
		r = scanRepo(t, bin, 0, filepath.Join(dir, "nats.conf"), filepath.Join(dir, "main-nats.conf"))
		if r.code != 0 || !strings.Contains(r.stderr, "nats.conf: not a regular file") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if !r.hasError(filepath.ToSlash(filepath.Join(dir, "main-nats.conf")), 2, `include "nats.conf": not a regular file`) &&
			!r.hasError("main-nats.conf", 2, `include "nats.conf": not a regular file`) {
			t.Errorf("errors = %+v", r.report.Errors)
		}
	})

	t.Run("unreadable files", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("creates root-owned files that nobody (uid 65534) cannot read: run as root")
		}
		dir := repo(t, map[string]string{"nats.conf": "port: 4222\n", "locked/nats.conf": "port: 4222\n", ".env": "NATS_PASSWORD=x\n"})
		must(t, os.Chmod(dir, 0o755))
		must(t, os.Chmod(filepath.Join(dir, "nats.conf"), 0o000))
		must(t, os.Chmod(filepath.Join(dir, ".env"), 0o000))
		must(t, os.Chmod(filepath.Join(dir, "locked"), 0o000))
		for _, d := range []string{filepath.Dir(dir), filepath.Join(dir, "good")} {
			must(t, os.Chmod(d, 0o755))
		}
		r := scanRepo(t, bin, 65534, dir)
		r.readGood(t)
		for _, want := range []string{"skipped nats.conf: permission denied", "skipped .env: permission denied", "skipped locked: permission denied"} {
			if !r.hasNote(want) || !strings.Contains(r.stderr, "natsaudit: warning: "+want+"\n") {
				t.Errorf("want %q: notes = %v, stderr %q", want, r.report.Notes, r.stderr)
			}
		}
	})
}
