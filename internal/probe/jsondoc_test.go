package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// reference decodes with encoding/json (UseNumber) and converts numbers the
// way the probe always has: int64 when they fit, json.Number for integers
// of uint64, float64 for the rest, the text beyond float64.
func reference(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data")
	}
	return refNumbers(v), nil
}

func refNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = refNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = refNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if !strings.ContainsAny(string(x), ".eE-") {
			if _, err := strconv.ParseUint(string(x), 10, 64); err == nil {
				return x
			}
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	}
	return v
}

func unlimited() *budget {
	return &budget{docValues: 1 << 40, maxValues: 1 << 40, maxBytes: 1 << 40}
}

var decodeCases = []string{
	`{}`, `[]`, `{"a": 1}`, ` {"a" : [1, 2.5, -3, 1e3, 1E-2, 0, -0, 18446744073709551615, 9223372036854775808, -9223372036854775809, 1e400]} `,
	`{"s": "plain", "e": "esc\"aped\\ \u00e9 \ud83d\ude00 \n", "bad": "` + "caf\xe9" + `", "nul": null, "t": true, "f": false}`,
	`{"dup": 1, "dup": 2}`, `{"nested": {"a": [{"b": [[], {}]}]}}`, `"str"`, `12`, `null`,
	// malformed
	``, ` `, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a":1}x`, `{"a":1} {}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
	`tru`, `nul`, `{"a": tru}`, `"unterminated`, "\"ctl\x01\"", `{1: 2}`, `[1}`, `{"a":1]`, `"\x"`, `"\u12"`, `NaN`, `{"a": 0x10}`,
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, in := range decodeCases {
		checkDecode(t, []byte(in))
	}
}

func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := reference(data)
	got, err := unlimited().decode(data)
	if depthOf(data) > maxDocDepth {
		if err == nil {
			t.Errorf("%q: nested beyond %d, decoded", data, maxDocDepth)
		}
		return
	}
	if (err != nil) != (wantErr != nil) {
		t.Errorf("%q: error %v, encoding/json %v", data, err, wantErr)
		return
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%q: got %#v, want %#v", data, got, want)
	}
	if err != nil && (strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "not JSON: ")) {
		t.Errorf("%q: error %q", data, err)
	}
}

// depthOf is the bracket depth of data outside strings (an upper bound of
// its nesting).
func depthOf(data []byte) int {
	d, most, in := 0, 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '{' || c == '['):
			d++
			most = max(most, d)
		case !in && (c == '}' || c == ']'):
			d--
		}
	}
	return most
}

func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		// On valid JSON the count is exact, or over (a repeated key).
		if v, err := reference(data); err == nil && depthOf(data) <= maxDocDepth {
			n, err := countValues(data, 1<<40)
			if err != nil || n < countOf(v) {
				t.Errorf("%q: countValues %d %v, want %d", data, n, err, countOf(v))
			}
		}
		_, _ = topLevelMembers(data) // never panics
	})
}

func countOf(v any) int64 {
	n := int64(1)
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n += countOf(e)
		}
	case []any:
		for _, e := range x {
			n += countOf(e)
		}
	}
	return n
}

func TestCountValues(t *testing.T) {
	for in, want := range map[string]int64{
		`{}`: 1, `[]`: 1, `[0,0,0]`: 4, `{"a":1,"b":"x"}`: 3, `{"a":{"b":[true,null,{}]}}`: 6,
		`["a,b", "c\"]d", {"k}": "v"}]`: 5, `[{},{},{}]`: 4, " [ 1 , -2.5e3 , \"x\" ] ": 4,
		`{"dup":1,"dup":2}`: 3,
	} {
		got, err := countValues([]byte(in), 1<<40)
		if err != nil || got != want {
			t.Errorf("countValues(%s) = %d %v, want %d", in, got, err, want)
		}
	}
	if _, err := countValues([]byte(strings.Repeat("[", 65)+strings.Repeat("]", 65)), 1<<40); err == nil || err.Error() != "document nested more than 64 levels deep; not read" {
		t.Errorf("65 levels: %v", err)
	}
	if _, err := countValues([]byte(strings.Repeat("[", 64)+strings.Repeat("]", 64)), 1<<40); err != nil {
		t.Errorf("64 levels: %v", err)
	}
	if _, err := countValues([]byte(`[1,2,3]`), 3); err == nil || err.Error() != "document holds more than 3 JSON values (the limit for one document); not read" {
		t.Errorf("over the limit: %v", err)
	}
}

// The run's budget is shared: a document that would take it over is refused
// whole (and counted for the note), the others are not affected.
func TestBudget(t *testing.T) {
	b := &budget{docValues: 10, maxValues: 12, maxBytes: 1 << 20}
	if _, err := b.decodeBytes([]byte(`{"a":[1,2,3,4,5,6,7,8,9,10]}`)); err == nil {
		t.Error("11 values in a document of at most 10: decoded")
	}
	if _, err := b.decodeBytes([]byte(`{"a":[1,2,3,4,5,6,7,8]}`)); err != nil {
		t.Fatal(err)
	}
	_, err := b.decodeBytes([]byte(`{"a":[1,2,3,4]}`))
	if err == nil || err.Error() != "not read: the documents read so far hold 10 JSON values and 0 MiB (limits for one run: 12 values, 1 MiB)" {
		t.Errorf("over the run's budget: %v", err)
	}
	if _, err := b.decodeBytes([]byte(`{"a":1}`)); err != nil {
		t.Errorf("within the rest of the budget: %v", err)
	}
	if n := b.note(); !strings.HasPrefix(n, "1 live documents were not read: one run reads at most 12 JSON values") {
		t.Errorf("note = %q", n)
	}
	b = &budget{docValues: 1 << 20, maxValues: 1 << 20, maxBytes: 20}
	if _, err := b.decodeBytes([]byte(`{"s":"0123456789012345678901234567890"}`)); err == nil {
		t.Error("over the run's byte budget: decoded")
	}
}

func TestTopLevelMembers(t *testing.T) {
	m, err := topLevelMembers([]byte(` {"server": {"id": "N1", "x": [1, "]}"]}, "data" : [1,{"a":"}"}], "n": 5, "s": "a\"b", "e": null} `))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"server": `{"id": "N1", "x": [1, "]}"]}`, "data": `[1,{"a":"}"}]`, "n": "5", "s": `"a\"b"`, "e": "null"}
	if len(m) != len(want) {
		t.Errorf("members = %q", m)
	}
	for k, v := range want {
		if string(m[k]) != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a"`, `{"a": "x`, `{"a": [1, 2`, `{"a": 1 "b": 2}`} {
		if _, err := topLevelMembers([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
