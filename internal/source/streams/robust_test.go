package streams

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// bomb is a billion-laughs document: nine levels of ten aliases each, a
// billion strings if expanded. placement and metadata are decoded whole
// (kind 'a'), subjects item by item.
func bomb(top string) string {
	var b strings.Builder
	b.WriteString("x0: &x0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("x" + itoa(i) + ": &x" + itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*x" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	b.WriteString(top)
	return b.String()
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestAliasBombs(t *testing.T) {
	cases := map[string]string{
		"NACK stream placement": bomb("apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nspec:\n  name: s\n  subjects: *x8\n  placement: {tags: *x8}\n  metadata: {a: *x8}\n"),
		"NACK consumer backoff": bomb("apiVersion: jetstream.nats.io/v1beta2\nkind: Consumer\nspec:\n  durableName: c\n  backoff: *x8\n  filterSubjects: *x8\n"),
		"stream JSON-like YAML": bomb("name: s\nsubjects: [a]\nmirror: *x8\nsources: *x8\n"),
		"stream info state":     bomb("config: {name: s, subjects: [a]}\nstate: {deleted: *x8}\ncluster: {replicas: *x8}\n"),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			res := Parse("bomb.yaml", []byte(doc))
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
			if !res.Recognised {
				t.Fatalf("not recognised: %+v", res)
			}
			// Each bomb is either refused with a message or read without
			// expanding it; never a billion values.
			for _, s := range res.Streams {
				if l, ok := s.Config["subjects"].([]any); ok && len(l) > 1000 {
					t.Errorf("subjects expanded to %d values", len(l))
				}
			}
			t.Logf("errors: %v", res.Errors)
		})
	}
}

// Nesting 20,000 levels deep: yaml.v3 refuses it with a message.
func TestDeepNesting(t *testing.T) {
	doc := "apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nspec:\n  name: s\n  placement: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"
	start := time.Now()
	res := Parse("deep.yaml", []byte(doc))
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "depth") {
		t.Errorf("errors = %+v, want one about the nesting depth", res.Errors)
	}
}

// A file too big to decode safely is refused before decoding when it looks
// like a stream definition.
func TestTooManyValues(t *testing.T) {
	doc := `{"name": "s", "subjects": [` + strings.Repeat(`"a",`, 600000) + `"a"]}`
	start := time.Now()
	res := Parse("big.json", []byte(doc))
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	if !res.Recognised || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "over the limit") {
		t.Errorf("result = %+v", res)
	}
}
