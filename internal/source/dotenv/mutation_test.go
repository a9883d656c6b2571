package dotenv

import (
	"reflect"
	"testing"
)

// TestParseEdges pins the boundaries of Parse one case at a time (issue 20,
// Go mutation testing): a line that starts with "=", quotes that open and
// close at once, a lone quote, a double-quoted value's escapes, a "#" that
// is part of a value, and the last assignment winning.
func TestParseEdges(t *testing.T) {
	type v struct {
		Name, Value string
		Quoted      byte
	}
	for _, tc := range []struct {
		name    string
		in      string
		want    []v
		wantErr string
	}{
		{"no name before =", "=value\n", nil, "line 1: expected NAME=value"},
		{"no =", "NAME\n", nil, "line 1: expected NAME=value"},
		{"bad name", "1A=x\n", nil, "line 1: invalid variable name"},
		{"empty double quotes", `A=""` + "\n", []v{{"A", "", '"'}}, ""},
		{"empty single quotes", "A=''\n", []v{{"A", "", '\''}}, ""},
		{"one-character value in quotes", `A="x"` + "\n", []v{{"A", "x", '"'}}, ""},
		{"a lone quote keeps the rest of the line", `A="` + "\n", []v{{"A", "", '"'}}, ""},
		{"unterminated quote", `A="abc` + "\n", []v{{"A", "abc", '"'}}, ""},
		{"one-character unquoted value", "A=x\n", []v{{"A", "x", 0}}, ""},
		{"double-quoted escapes", `A="a\nb\"c\\d"` + "\n", []v{{"A", "a\nb\"c\\d", '"'}}, ""},
		{"single quotes are literal", `A='a\nb'` + "\n", []v{{"A", `a\nb`, '\''}}, ""},
		{"# inside a value", "A=a#b\n", []v{{"A", "a#b", 0}}, ""},
		{"BOM and export", "\ufeffexport A=1\n", []v{{"A", "1", 0}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, errs := Parse([]byte(tc.in))
			var got []v
			for _, x := range f.Vars {
				got = append(got, v{x.Name, x.Value, x.Quoted})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("vars = %+v, want %+v", got, tc.want)
			}
			gotErr := ""
			if len(errs) > 0 {
				gotErr = errs[0].Error()
			}
			if gotErr != tc.wantErr || len(errs) > 1 {
				t.Errorf("errors = %v, want %q", errs, tc.wantErr)
			}
		})
	}
}

// TestLookupLastWins: the last assignment of a name is the one Compose
// uses, including when it is the file's first line.
func TestLookupLastWins(t *testing.T) {
	f, _ := Parse([]byte("A=1\nB=2\nA=3\n"))
	if got, ok := f.Lookup("A"); !ok || got.Value != "3" || got.Line != 3 {
		t.Errorf("A = %+v %v, want 3 at line 3", got, ok)
	}
	if got, ok := f.Lookup("B"); !ok || got.Value != "2" || got.Line != 2 {
		t.Errorf("B = %+v %v", got, ok)
	}
	f, _ = Parse([]byte("A=1\n"))
	if got, ok := f.Lookup("A"); !ok || got.Value != "1" {
		t.Errorf("single A = %+v %v", got, ok)
	}
	if _, ok := f.Lookup("Z"); ok {
		t.Error("Z found")
	}
}

// TestInterpolateOperators: each operator of the Compose syntax, on a set,
// an empty and an unset variable, and what is reported missing.
func TestInterpolateOperators(t *testing.T) {
	vars := map[string]string{"SET": "v", "EMPTY": ""}
	look := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for _, tc := range []struct {
		in, out string
		missing []string
	}{
		{"${SET-d}", "v", nil},
		{"${UNSET-d}", "d", nil},
		{"${SET:-d}", "v", nil},
		{"${EMPTY:+alt}", "", nil},
		{"${SET+alt}", "alt", nil},
		{"${EMPTY+alt}", "alt", nil},
		{"${UNSET+alt}", "", nil},
		{"${EMPTY}", "", nil},
		{"${UNSET}x$OTHER", "x", []string{"UNSET", "OTHER"}},
	} {
		got, missing := Interpolate(tc.in, look)
		if got != tc.out || !reflect.DeepEqual(missing, tc.missing) {
			t.Errorf("Interpolate(%q) = %q, %v; want %q, %v", tc.in, got, missing, tc.out, tc.missing)
		}
	}
}

// TestRefs: the operator and default of each reference, and $$ escapes.
func TestRefs(t *testing.T) {
	got := Refs("${A:-x} $B ${C?err} $$D ${E}")
	want := []Ref{{Name: "A", Op: ":-", Default: "x"}, {Name: "B"}, {Name: "C", Op: "?", Default: "err"}, {Name: "E"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Refs = %+v, want %+v", got, want)
	}
}

// TestLongLastLine: a line longer than the scanner's first buffer (64 KiB),
// last in the file without a newline, is read whole: the scanner may grow
// to the size of the file.
func TestLongLastLine(t *testing.T) {
	long := make([]byte, 100*1024)
	for i := range long {
		long[i] = 'x'
	}
	f, errs := Parse(append([]byte("A="), long...))
	if len(errs) != 0 || len(f.Vars) != 1 || len(f.Vars[0].Value) != len(long) {
		t.Errorf("errors %v, %d vars", errs, len(f.Vars))
	}
}
