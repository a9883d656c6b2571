package yamllimit

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/testgen"
)

// The estimate is an upper bound on the nodes yaml.v3 builds.
func TestEstimateBoundsNodes(t *testing.T) {
	for _, doc := range []string{
		"[a,a,a,a]",
		"{a: b, c: d, e: [1, 2, {f: g}]}",
		"services:\n  nats:\n    image: nats\n    command: [\"-js\", \"-m\", \"8222\"]\n    ports:\n      - 4222:4222\n      - \"8222\"\n",
		"- a\n- b\n- - c\n  - d\n",
		"a: &x [1, 2]\nb: *x\nc: *x\n",
		"--- a\n--- b\n",
		// ':' and '-' without a blank after them: in a scalar, or after a
		// JSON-like flow key (the ones that must still count).
		`{"a":1,"b":2,'c':3,[d]:4,{e: f}:5}`,
		"{a:b, c:d}",
		"[a:b, c-d, -e, -]",
		"a:\nb:\n-\n- -\n",
		"key:\r\n  - x\r\n",
		"a:\tb\nc:",
		"- a:b\n- \"x\":y\n- 'y':z\n",
		"image: nats:2.10.7-alpine\ncommand: [\"--routes\", \"nats://nats-1:6222\"]\n",
		"? a\n: b\n? [c]\n: d\n",
		"-",
		":",
		"a: b:c: d",
		"[-1, - 2, -3.5, 'a':b]",
	} {
		var n yaml.Node
		dec := yaml.NewDecoder(strings.NewReader(doc))
		nodes := 0
		for dec.Decode(&n) == nil {
			nodes += count(&n) - 1 // the document node holds no value
		}
		if e := Estimate([]byte(doc)); e < nodes {
			t.Errorf("%q: estimate %d < %d nodes", doc, e, nodes)
		}
	}
}

func count(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += count(k)
	}
	return c
}

// A file at the limit decodes in bounded memory: measured, not assumed.
func TestAtTheLimitMemory(t *testing.T) {
	doc := []byte("[" + strings.Repeat("a,", MaxNodes/2-2) + "a]")
	if err := Check(doc); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 300<<20 {
		t.Errorf("decoding %d values allocated %d MB", MaxNodes/2, alloc>>20)
	}
	runtime.KeepAlive(&n)
	if Check([]byte(strings.Repeat("a,", MaxNodes))) == nil {
		t.Error("over the limit: accepted")
	}
}

// A well-formed compose file of 10,000 NATS services (docs/performance.md)
// is read: its '-' characters are in flags and names, not item markers.
func TestBigComposeUnderTheLimit(t *testing.T) {
	dir := t.TempDir()
	if _, err := testgen.GenerateCompose(dir, 10000, 1); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(b); err != nil {
		t.Fatal(err)
	}
}
