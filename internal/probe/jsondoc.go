package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// Bounds on decoded documents. A JSON value costs far more once decoded
// than its bytes: "{}," is 3 bytes of input and a few hundred bytes of
// map[string]any, inventory and Rego input; 30 MB of them took 5 GB. So
// every document is counted (values and nesting) before anything of it is
// decoded, and all the documents of one run share a budget.
const (
	// DefaultMaxDocValues bounds the JSON values (objects, arrays, strings,
	// numbers, booleans, nulls; not keys) of one document. A /jsz with
	// details of a thousand streams holds about 200,000.
	DefaultMaxDocValues = 1_000_000
	// DefaultMaxValues bounds the JSON values of all the documents of one
	// run (every target, server and archive). A value costs 80 to 250
	// bytes by the time the rules read it (an empty object the most): two
	// million are at most about 500 MB.
	DefaultMaxValues = 2_000_000
	// DefaultMaxBytes bounds the JSON bytes of all the documents of one run
	// (a string is one value, so values alone do not bound them).
	DefaultMaxBytes = 128 << 20
	// maxDocDepth bounds nesting: monitoring documents are about 8 levels
	// deep.
	maxDocDepth = 64
)

// budget is what one run may decode: per document and in total. It is
// shared by the concurrent readers of a collection.
type budget struct {
	docValues  int64
	maxValues  int64
	maxBytes   int64
	values     atomic.Int64
	bytes      atomic.Int64
	overBudget atomic.Int64 // documents refused because the run's budget was spent
}

func newBudget(o Options) *budget {
	return &budget{docValues: o.MaxDocValues, maxValues: o.MaxValues, maxBytes: o.MaxBytes}
}

// decode counts the values and depth of one JSON document, takes them from
// the run's budget, and only then decodes it. Numbers are exact: integers
// that fit are int64, fractions float64, and integers beyond int64 but
// within uint64 stay json.Number (jsz reports unlimited account
// reservations as 2^64-1), so that they encode back to the same digits.
func (b *budget) decode(data []byte) (any, error) {
	n, err := countValues(data, b.docValues)
	if err != nil {
		return nil, err
	}
	if v, by := b.values.Add(n), b.bytes.Add(int64(len(data))); v > b.maxValues || by > b.maxBytes {
		b.values.Add(-n)
		b.bytes.Add(-int64(len(data)))
		b.overBudget.Add(1)
		return nil, fmt.Errorf("not read: the documents read so far hold %d JSON values and %d MiB (limits for one run: %d values, %d MiB)",
			v-n, (by-int64(len(data)))>>20, b.maxValues, b.maxBytes>>20)
	}
	d := &jsonDecoder{b: data, keys: map[string]string{}}
	v, err := d.value(0)
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	d.space()
	if d.i != len(d.b) {
		return nil, errors.New("not JSON: trailing data after the document")
	}
	return v, nil
}

// decodeBytes decodes one JSON object (see decode).
func (b *budget) decodeBytes(data []byte) (map[string]any, error) {
	v, err := b.decode(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unexpected JSON: want an object, got %s", jsonKind(v))
	}
	return m, nil
}

// note is the report note for documents refused for the run's budget.
func (b *budget) note() string {
	n := b.overBudget.Load()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d live documents were not read: one run reads at most %d JSON values and %d MiB of JSON (a rogue server, or more servers than one run can hold: audit them in several runs)", n, b.maxValues, b.maxBytes>>20)
}

// countValues counts the JSON values of a document (objects, arrays and
// scalars; not keys) and checks its nesting, without allocating: a document
// over a limit is refused before anything is decoded. It is a lexer, not a
// validator (the decoder reports malformed JSON).
func countValues(data []byte, limit int64) (int64, error) {
	var stack [maxDocDepth]byte
	depth := 0
	var values int64
	prev := byte(0) // the last structural character, or 'x' after a scalar
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case ' ', '\t', '\n', '\r', ':':
			if c == ':' {
				prev = c
			}
			continue
		case '"':
			if !(prev == '{' || prev == ',' && depth > 0 && stack[depth-1] == '{') {
				values++ // a string value, not a key
			}
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			prev = '"'
		case '{', '[':
			if depth == maxDocDepth {
				return 0, fmt.Errorf("document nested more than %d levels deep; not read", maxDocDepth)
			}
			values++
			stack[depth] = c
			depth++
			prev = c
		case '}', ']':
			if depth > 0 {
				depth--
			}
			prev = c
		case ',':
			prev = c
		default:
			if prev == 0 || prev == '[' || prev == ',' || prev == ':' {
				values++
			}
			for i+1 < len(data) && isScalarByte(data[i+1]) {
				i++
			}
			prev = 'x'
		}
		if values > limit {
			return 0, fmt.Errorf("document holds more than %d JSON values (the limit for one document); not read", limit)
		}
	}
	return values, nil
}

// topLevelMembers returns the raw bytes of each member of a JSON object,
// by key, without decoding them: only the keys are decoded, and the values
// are skipped by matching brackets outside strings (they are not checked:
// decode each one that is used).
func topLevelMembers(data []byte) (map[string][]byte, error) {
	d := &jsonDecoder{b: data}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	d.i++
	out := map[string][]byte{}
	for {
		d.space()
		if d.i < len(d.b) && d.b[d.i] == '}' && len(out) == 0 {
			return out, nil
		}
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.errorf("want an object key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, d.errorf("want ':' after an object key")
		}
		d.i++
		d.space()
		start := d.i
		if err := d.skip(); err != nil {
			return nil, err
		}
		out[k] = d.b[start:d.i]
		d.space()
		if d.i >= len(d.b) {
			return nil, d.errorf("unexpected end in an object")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			return out, nil
		default:
			return nil, d.errorf("want ',' or '}' in an object")
		}
	}
}

// skip moves past one value: a string, a scalar, or a bracketed value.
func (d *jsonDecoder) skip() error {
	depth := 0
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			for d.i < len(d.b) && d.b[d.i] != '"' {
				if d.b[d.i] == '\\' {
					d.i++
				}
				d.i++
			}
			if d.i >= len(d.b) {
				return d.errorf("unterminated string")
			}
			d.i++
		case c == '{' || c == '[':
			depth++
			d.i++
		case c == '}' || c == ']':
			if depth == 0 {
				return nil // the end of the enclosing object
			}
			depth--
			d.i++
		case c == ',' && depth == 0:
			return nil
		default:
			d.i++
		}
		if depth == 0 && d.i < len(d.b) {
			// A complete string or bracketed value, or a scalar byte: a
			// scalar ends at the next ',' or '}' (handled above).
			if c := d.b[d.i-1]; c == '"' || c == '}' || c == ']' {
				return nil
			}
		}
	}
	if depth > 0 {
		return d.errorf("unexpected end")
	}
	return nil
}

func isScalarByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'E'
}

// jsonDecoder decodes a document from its bytes, with no other copy of
// them (encoding/json's Decoder buffers the whole document again, and grows
// that buffer by doubling); object keys are shared within the document.
type jsonDecoder struct {
	b    []byte
	i    int
	keys map[string]string
	jwts int // JWT claims decoded so far (maxJWTClaims)
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%s at byte %d", fmt.Sprintf(format, args...), d.i)
}

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if depth > maxDocDepth {
		return nil, d.errorf("nested deeper than %d", maxDocDepth)
	}
	d.space()
	if d.i >= len(d.b) {
		if d.i == 0 {
			return nil, errors.New("empty or truncated document")
		}
		return nil, d.errorf("unexpected end")
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		// Strings and keys are scrubbed of credentials as they are
		// decoded (scrub.go).
		s, err := d.str()
		return scrubString(s), err
	case c == 't':
		return d.literal("true", true)
	case c == 'f':
		return d.literal("false", false)
	case c == 'n':
		return d.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return nil, d.errorf("invalid character %q looking for beginning of value", c)
	}
}

func (d *jsonDecoder) literal(word string, v any) (any, error) {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return nil, d.errorf("invalid literal")
	}
	d.i += len(word)
	return v, nil
}

func (d *jsonDecoder) object(depth int) (any, error) {
	d.i++ // {
	m := map[string]any{}
	ours := false // m["jwt_claims"] was decoded by us (a repeated key keeps its last value otherwise, as in encoding/json)
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.errorf("want an object key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		k = scrubString(k)
		if len(k) <= 64 {
			if s, ok := d.keys[k]; ok {
				k = s
			} else {
				d.keys[k] = k
			}
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, d.errorf("want ':' after an object key")
		}
		d.i++
		var v any
		if d.space(); k == "jwt" && d.i < len(d.b) && d.b[d.i] == '"' {
			// A user JWT (/connz?auth=true, CONNZ): its claims are read
			// here, before the string is masked like any credential.
			raw, err := d.str()
			if err != nil {
				return nil, err
			}
			if d.jwts < maxJWTClaims {
				if c := jwtClaims(raw); c != nil {
					d.jwts++
					m["jwt_claims"] = c
					ours = true
				}
			}
			v = scrubString(raw)
		} else if v, err = d.value(depth + 1); err != nil {
			return nil, err
		}
		if k != "jwt_claims" || !ours {
			// The server does not get to overwrite the claims we read.
			m[k] = v
		}
		d.space()
		if d.i >= len(d.b) {
			return nil, d.errorf("unexpected end in an object")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, nil
		default:
			return nil, d.errorf("want ',' or '}' in an object")
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, error) {
	d.i++ // [
	elems := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return elems, nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
		d.space()
		if d.i >= len(d.b) {
			return nil, d.errorf("unexpected end in an array")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return elems, nil
		default:
			return nil, d.errorf("want ',' or ']' in an array")
		}
	}
}

// str reads a string. Strings without escapes are converted as they are;
// the few with escapes or invalid UTF-8 are decoded by encoding/json, so
// that every escape means what it means there.
func (d *jsonDecoder) str() (string, error) {
	start := d.i
	d.i++ // "
	escaped := false
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			if raw := d.b[start+1 : d.i-1]; !escaped && utf8.Valid(raw) {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", d.errorf("string: %v", err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			d.i += 2
		case c < 0x20:
			return "", d.errorf("control character in a string")
		default:
			d.i++
		}
	}
	return "", d.errorf("unterminated string")
}

// number reads a number as the rest of natsaudit expects it: int64 when it
// is an integer that fits, json.Number for integers beyond int64 but
// within uint64, float64 for the rest, and the text for what float64
// cannot hold (1e400: no server sends that; the inventory stays readable
// by any JSON decoder).
func (d *jsonDecoder) number() (any, error) {
	start := d.i
	for d.i < len(d.b) && isScalarByte(d.b[d.i]) {
		d.i++
	}
	raw := string(d.b[start:d.i])
	if !validNumber(raw) {
		d.i = start
		return nil, d.errorf("invalid number %q", shorten(raw))
	}
	if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return i, nil
	}
	if !strings.ContainsAny(raw, ".eE-") {
		if _, err := strconv.ParseUint(raw, 10, 64); err == nil {
			return json.Number(raw), nil
		}
	}
	if f, err := strconv.ParseFloat(raw, 64); err == nil {
		return f, nil
	}
	return raw, nil
}

// validNumber is JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func shorten(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// Typed accessors for decoded documents: a document of the wrong shape gives
// zero values, never a panic.

func getMap(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

func getSlice(m map[string]any, key string) []any {
	s, _ := m[key].([]any)
	return s
}

func getString(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func getInt(m map[string]any, key string) (int64, bool) {
	switch n := m[key].(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), true
	}
	return 0, false
}
