package dotenv

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseInterpolate reads arbitrary bytes as a .env file and expands
// every value with the file's own variables: no panic, no hang, line
// numbers within the file, and a value without '$' unchanged.
func FuzzParseInterpolate(f *testing.F) {
	for _, s := range []string{
		"NATS_USER=app\nNATS_PASSWORD=\"s3cr3t # not a comment\"\nexport TOKEN='literal $NOT'\nURL=nats://${NATS_USER}:${NATS_PASSWORD}@nats:4222\n",
		"A=${B:-default}\nB=${A:?required}\nC=$$escaped\nD=${E:+alt}${F-x}${G+y}\n",
		"\ufeffKEY=value # comment\n# comment\n\nbad line\n1BAD=x\nQ=\"multi\nline\"\n",
		"X=${X}\nY=$Y$Y$Y\nZ=${\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		file, errs := Parse(data)
		lines := strings.Count(string(data), "\n") + 1
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines+1 {
				t.Errorf("error line %d outside the file (%d lines)", e.Line, lines)
			}
		}
		lookup := func(name string) (string, bool) {
			v, ok := file.Lookup(name)
			return v.Value, ok
		}
		for _, v := range file.Vars {
			if v.Line < 1 || v.Line > lines {
				t.Errorf("variable %s on line %d of %d", v.Name, v.Line, lines)
			}
			out, _ := Interpolate(v.Value, lookup)
			if !strings.Contains(v.Value, "$") && out != v.Value {
				t.Errorf("Interpolate(%q) = %q: a value without '$' must not change", v.Value, out)
			}
			Refs(v.Value)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %s", d)
		}
	})
}
