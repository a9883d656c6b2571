package compose

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/testgen"
)

// bounded runs f and checks it finishes within d and allocates less than
// maxMB (measured, a bound for "a few hundred MB" of the whole scan).
func bounded(t *testing.T, d time.Duration, maxMB uint64, f func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	if el := time.Since(start); el > d {
		t.Errorf("took %s, want under %s", el, d)
	}
	runtime.ReadMemStats(&after)
	if alloc := (after.TotalAlloc - before.TotalAlloc) >> 20; alloc > maxMB {
		t.Errorf("allocated %d MB, want under %d", alloc, maxMB)
	}
}

// Merge keys expand aliases as the walker reads them: a merge-key bomb is
// stopped by the node budget with a clear message.
func TestMergeKeyBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &x0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n")
	for i := 1; i < 9; i++ {
		b.WriteString("x" + string(rune('0'+i)) + ": &x" + string(rune('0'+i)) + " {<<: [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*x" + string(rune('0'+i-1)))
		}
		b.WriteString("]}\n")
	}
	b.WriteString("services:\n  nats:\n    <<: *x8\n    image: nats\n")
	var p *Project
	bounded(t, 3*time.Second, 200, func() {
		p = load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte(b.String())})
	})
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "alias bomb") || p.Errors[0].File != "docker-compose.yml" {
		t.Errorf("errors = %+v", p.Errors)
	}
}

// A plain alias bomb: aliases under command and ports
// are read one level deep, so the file is read, in bounded time and memory,
// and nothing is expanded a billion times.
func TestAliasBombBounded(t *testing.T) {
	bomb := `a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
services:
  nats:
    image: nats
    command: *h
    ports: *h
    environment: *h
    volumes: *h
`
	var p *Project
	bounded(t, 3*time.Second, 200, func() {
		p = load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte(bomb)})
	})
	if len(p.Errors) > 0 || len(p.Services) != 1 {
		t.Fatalf("project = %+v", p)
	}
	if d := p.Services[0].Deployment; len(d.Command)+len(d.Ports)+len(d.Volumes) > 0 {
		t.Errorf("expanded: command %d, ports %d, volumes %d", len(d.Command), len(d.Ports), len(d.Volumes))
	}
}

func TestHostileComposeFiles(t *testing.T) {
	for name, tc := range map[string]struct {
		data, want string
	}{
		"20,000 levels of nesting": {"services:\n  nats:\n    image: nats\n    labels: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "depth"},
		"20,000 block levels":      {"services:\n  nats:\n    image: nats\n    labels:\n      " + strings.Repeat("- ", 20000) + "x\n", "depth"},
		"5 million values":         {"services:\n  nats:\n    image: nats\n    command: [" + strings.Repeat("a,", 5000000) + "a]\n", "over the limit of 500000"},
		"binary garbage":           {"\x00\x01\x02\xff\xfe services: {", "control characters"},
		"non-UTF-8":                {"services:\n  nats:\n    image: \"caf\xe9\"\n", "invalid"},
		"YAML error on a password line": {
			"services:\n  nats:\n    image: nats\n    environment:\n      NATS_PASSWORD: \"Compose-Pa55word-9f\n", "unexpected end of stream"},
		"150 levels of nesting": {"services:\n  nats:\n    image: nats\n    labels: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n", "nested more than 100 levels deep (line 4)"},
	} {
		t.Run(name, func(t *testing.T) {
			var p *Project
			bounded(t, 3*time.Second, 300, func() {
				p = load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte(tc.data)})
			})
			if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, tc.want) || p.Errors[0].File != "docker-compose.yml" {
				t.Fatalf("errors = %+v, want one with %q", p.Errors, tc.want)
			}
			if strings.Contains(p.Errors[0].Message, "Compose-Pa55word-9f") {
				t.Errorf("error quotes the password: %q", p.Errors[0].Message)
			}
			t.Logf("%s", p.Errors[0].Message)
		})
	}
}

// A well-formed compose file of 10,000 NATS services holds about 300,000
// nodes, over the default visit budget: it is read whole, since the budget
// grows with the nodes the file itself holds (aliases expand beyond them).
func TestBigComposeFileRead(t *testing.T) {
	dir := t.TempDir()
	if _, err := testgen.GenerateCompose(dir, 10000, 1); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p := load(t, nil, Input{Rel: "docker-compose.yml", Data: data})
	if len(p.Errors) > 0 || len(p.Services) != 10000 {
		t.Fatalf("errors %+v, %d services", p.Errors, len(p.Services))
	}
}

// Padding a merge-key bomb with plain nodes raises the budget only by what
// the padding holds: the bomb is still stopped.
func TestPaddedMergeKeyBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("pad: [" + strings.Repeat("0,", 200000) + "0]\n")
	b.WriteString("x0: &x0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n")
	for i := 1; i < 9; i++ {
		b.WriteString("x" + string(rune('0'+i)) + ": &x" + string(rune('0'+i)) + " {<<: [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*x" + string(rune('0'+i-1)))
		}
		b.WriteString("]}\n")
	}
	b.WriteString("services:\n  nats:\n    <<: *x8\n    image: nats\n")
	var p *Project
	bounded(t, 5*time.Second, 400, func() {
		p = load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte(b.String())})
	})
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "alias bomb") {
		t.Errorf("errors = %+v", p.Errors)
	}
}
