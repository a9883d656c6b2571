package audit

import (
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/model"
)

// The helpers of the reference resolution, one boundary at a time (issue
// 20, Go mutation testing of resolve.go). They are tested directly, not
// through resolve, so that the references' refactoring can keep them.

func TestClipAtCharacterBoundary(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abc", 4, "abc"},
		{"abcd", 3, "abc"},
		{"aé", 2, "a"}, // é is 2 bytes: not cut in half
		{"aé", 3, "aé"},
		{"éé", 3, "é"},
		{"é", 1, ""},
		{"", 0, ""},
	} {
		if got := clip(tc.s, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestPrintableDropsControls(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\tb", "a\tb"},
		{"a b~", "a b~"},
		{"a\x00b\x1fc\x1b[31md", "abc[31md"},
		{"a\x7fb", "ab"},
		{"a\x80b", "a\uFFFDb"},
		{"é→", "é→"},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQualified(t *testing.T) {
	for _, tc := range []struct{ acc, name, want string }{
		{"", "ORDERS", "ORDERS"},
		{"$G", "ORDERS", "ORDERS"},
		{"APP", "ORDERS", "APP/ORDERS"},
	} {
		if got := qualified(tc.acc, tc.name); got != tc.want {
			t.Errorf("qualified(%q, %q) = %q, want %q", tc.acc, tc.name, got, tc.want)
		}
	}
}

func TestLookupAndMissingKey(t *testing.T) {
	tls := model.Location{File: "nats.conf", Line: 7}
	port := model.Location{File: "nats.conf", Line: 2}
	locs := model.Locations{
		"config/tls":  tls,
		"config/port": port,
		"config/gone": {}, // recorded without a file: not a location
	}
	for _, tc := range []struct {
		path    string
		loc     model.Location
		missing string
	}{
		{"config/port", port, ""},
		{"config/tls", tls, ""},
		{"config/tls/verify", tls, "verify"},
		{"config/tls/a/b", tls, "a"},
		{"config/gone/x", model.Location{}, ""},
		{"config/gone", model.Location{}, ""},
		{"other", model.Location{}, ""},
		{"", model.Location{}, ""},
	} {
		if got := lookup(locs, tc.path); got != tc.loc {
			t.Errorf("lookup(%q) = %+v, want %+v", tc.path, got, tc.loc)
		}
		if got := missingKey(locs, tc.path); got != tc.missing {
			t.Errorf("missingKey(%q) = %q, want %q", tc.path, got, tc.missing)
		}
	}
	// A key name from the input is printed as evidence: no controls.
	if got := missingKey(model.Locations{"config": tls}, "config/a\x1bb"); got != "ab" {
		t.Errorf("missingKey with a control character = %q", got)
	}
}

func TestChartDefault(t *testing.T) {
	s := &model.Server{
		Locs:     model.Locations{"config/jetstream": {File: "values.yaml", Line: 3}, "config/port": {File: "values.yaml", Line: 9}},
		Defaults: map[string]bool{"config/jetstream": true},
	}
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"config/jetstream", true},
		{"config/jetstream/max_mem", true}, // missing: its located block is a default
		{"config/port", false},
		{"config/other", false},
		{"other", false},
	} {
		if got := chartDefault(s, tc.path); got != tc.want {
			t.Errorf("chartDefault(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
	if chartDefault(&model.Server{Locs: s.Locs}, "config/jetstream") {
		t.Error("a server without chart defaults has none")
	}
}

func TestServerFallback(t *testing.T) {
	image := model.Location{File: "docker-compose.yml", Line: 4}
	svc := model.Location{File: "docker-compose.yml", Line: 2}
	port := model.Location{File: "nats.conf", Line: 5}
	listen := model.Location{File: "nats.conf", Line: 6}
	withConf := &model.Server{ConfigFile: "nats.conf", Locs: model.Locations{"deployment/image": image, "deployment": svc, "config/port": port}}
	listenOnly := &model.Server{ConfigFile: "nats.conf", Locs: model.Locations{"config/port": {File: "nats.conf"}, "config/listen": listen}}
	noConf := &model.Server{Locs: model.Locations{"deployment": svc}}
	for _, tc := range []struct {
		name string
		s    *model.Server
		path string
		want model.Location
	}{
		{"live path", withConf, "live/varz/x", model.Location{}},
		{"deployment fact", withConf, "deployment/ports", image},
		{"version fact", withConf, "version", image},
		{"missing authorization: the listener", withConf, "config/authorization", port},
		{"missing tls: the listener", withConf, "config/tls", port},
		{"a port without a line: the next listener key", listenOnly, "config/no_auth_user", listen},
		{"anything else: top of the file", withConf, "config/jetstream", model.Location{File: "nats.conf", Line: 1}},
		{"deployment fact without image: top of the file", listenOnly, "deployment/ports", model.Location{File: "nats.conf", Line: 1}},
		{"no config file: the service", noConf, "config/tls", svc},
		{"nothing", &model.Server{}, "config/tls", model.Location{}},
	} {
		if got := serverFallback(tc.s, tc.path); got != tc.want {
			t.Errorf("%s: serverFallback(%q) = %+v, want %+v", tc.name, tc.path, got, tc.want)
		}
	}
}

func TestLineCache(t *testing.T) {
	var b strings.Builder
	b.WriteString("items:\n")
	for range 20 {
		b.WriteString("\n")
	}
	b.WriteString("  - x\n")
	src := "a: 1\n\n# comment\n  - item\nlast"
	c := newLineCache(&discover.Result{Files: []*discover.File{
		{Rel: "f.yaml", Data: []byte(src)},
		{Rel: "far.yaml", Data: []byte(b.String())},
	}})
	for _, tc := range []struct {
		file string
		n    int
		want string
	}{
		{"f.yaml", 1, "a: 1"}, {"f.yaml", 5, "last"}, {"f.yaml", 0, ""}, {"f.yaml", 6, ""}, {"none", 1, ""},
	} {
		if got := c.line(tc.file, tc.n); got != tc.want {
			t.Errorf("line(%s, %d) = %q, want %q", tc.file, tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		file string
		n    int
		want string
	}{
		{"f.yaml", 4, "a: 1"}, // over the comment and the blank line
		{"f.yaml", 2, "a: 1"},
		{"f.yaml", 1, ""},
		{"far.yaml", 22, ""},       // 21 lines back: out of reach
		{"far.yaml", 21, "items:"}, // 20 lines back
	} {
		if got := c.prev(tc.file, tc.n); got != tc.want {
			t.Errorf("prev(%s, %d) = %q, want %q", tc.file, tc.n, got, tc.want)
		}
	}
}

// TestMissingKeyUnderRecordedPath: a path recorded without a location is
// as good as missing: the key is named under the closest located ancestor.
func TestMissingKeyUnderRecordedPath(t *testing.T) {
	tls := model.Location{File: "nats.conf", Line: 7}
	locs := model.Locations{"config/tls": tls, "config/tls/verify": {}}
	if got := missingKey(locs, "config/tls/verify"); got != "verify" {
		t.Errorf("missingKey = %q, want verify", got)
	}
	if got := lookup(locs, "config/tls/verify"); got != tls {
		t.Errorf("lookup = %+v, want the tls block's %+v", got, tls)
	}
}

// TestLineCount: a final newline ends the last line, it does not start
// another; a file the scan did not read has no lines (and no crash).
func TestLineCount(t *testing.T) {
	c := newLineCache(&discover.Result{Files: []*discover.File{
		{Rel: "a.conf", Data: []byte("a\nb\n")},
		{Rel: "b.conf", Data: []byte("a\nb")},
		{Rel: "e.conf", Data: []byte("")},
	}})
	for _, tc := range []struct {
		file string
		n    int
		term bool
	}{{"a.conf", 2, true}, {"b.conf", 2, false}, {"e.conf", 0, false}, {"none.conf", 0, false}} {
		if got := c.count(tc.file); got != tc.n {
			t.Errorf("count(%s) = %d, want %d", tc.file, got, tc.n)
		}
		if got := c.terminated(tc.file, 2); got != tc.term {
			t.Errorf("terminated(%s, 2) = %v, want %v", tc.file, got, tc.term)
		}
	}
}

// TestClipContinuationBytes: a line of a binary file can be all UTF-8
// continuation bytes; clip cuts it to nothing instead of stepping before
// its start (kills clip's `n > 0` turned into `>= 0`, which indexed s[-1]
// and crashed the audit; TestBinaryConfigLine runs it through a scan).
func TestClipContinuationBytes(t *testing.T) {
	if got := clip(strings.Repeat("\x80", 8), 4); got != "" {
		t.Errorf("clip = %q, want empty", got)
	}
}

// TestTerminatedFirstLine: line 1 of a file is terminated when a newline
// follows it, like any other; line 0 is no line (kills terminated's `n >=
// 1` turned into `> 1`, seed-4 survivor).
func TestTerminatedFirstLine(t *testing.T) {
	c := newLineCache(&discover.Result{Files: []*discover.File{
		{Rel: "a.conf", Data: []byte("a\nb\n")},
		{Rel: "one.conf", Data: []byte("a")},
	}})
	for _, tc := range []struct {
		file string
		n    int
		want bool
	}{{"a.conf", 1, true}, {"a.conf", 0, false}, {"one.conf", 1, false}} {
		if got := c.terminated(tc.file, tc.n); got != tc.want {
			t.Errorf("terminated(%s, %d) = %v, want %v", tc.file, tc.n, got, tc.want)
		}
	}
}
