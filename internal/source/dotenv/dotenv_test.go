package dotenv

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	f, errs := Parse([]byte("# comment\nexport A=1\nB = \"two words\" \nC='${A} literal'\nD=x # trailing\nnot a line\n\nE=\n"))
	if len(errs) != 1 || errs[0].Line != 6 {
		t.Errorf("errs = %+v", errs)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "${A} literal", "D": "x", "E": ""}
	for k, v := range want {
		got, ok := f.Lookup(k)
		if !ok || got.Value != v {
			t.Errorf("%s = %q, want %q", k, got.Value, v)
		}
	}
	if c, _ := f.Lookup("C"); c.Quoted != '\'' {
		t.Errorf("C quoted = %q", c.Quoted)
	}
}

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"SET": "v", "EMPTY": ""}
	look := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	cases := []struct{ in, out string }{
		{"${SET}", "v"}, {"$SET", "v"}, {"${UNSET:-d}", "d"}, {"${EMPTY:-d}", "d"}, {"${EMPTY-d}", ""},
		{"${SET:+alt}", "alt"}, {"${UNSET:+alt}", ""}, {"$$SET", "$SET"}, {"a-${SET}-b", "a-v-b"},
		{"nats://${SET}:${UNSET:-pw}@h:4222", "nats://v:pw@h:4222"},
	}
	for _, c := range cases {
		if got, _ := Interpolate(c.in, look); got != c.out {
			t.Errorf("Interpolate(%q) = %q, want %q", c.in, got, c.out)
		}
	}
	if _, missing := Interpolate("${NOPE}", look); len(missing) != 1 || missing[0] != "NOPE" {
		t.Errorf("missing = %v", missing)
	}
}

func TestTooManyVariables(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxVars+5; i++ {
		fmt.Fprintf(&b, "V%d=$UNDEFINED\n", i)
	}
	f, errs := Parse([]byte(b.String()))
	if len(f.Vars) != MaxVars || len(errs) != 1 || errs[0].Line != MaxVars+1 || !strings.Contains(errs[0].Msg, "more than 10000 variables") {
		t.Errorf("vars %d, errors %v", len(f.Vars), errs)
	}
}
