package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// decodeObject decodes one JSON object. Numbers are read with UseNumber so
// that values beyond float64 precision survive (jsz reports unlimited
// account reservations as 2^64-1), then normalised (see normalize).
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %s", shortJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not JSON: trailing data after the document")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unexpected JSON: want an object, got %s", jsonKind(v))
	}
	normalize(m)
	return m, nil
}

// normalize rewrites json.Number values in place: integers that fit become
// int64 and fractions float64, the types the rest of natsaudit (and the
// stream defaults) expect. Integers beyond int64 but within uint64 stay
// json.Number, which encodes back to the exact digits for the Rego input.
// Strings and keys are scrubbed of credentials (scrub.go).
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		scrubKeys(x)
		return x
	case string:
		return scrubString(x)
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
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
		// Beyond float64 (1e400): no server sends that; keep the text so
		// that the inventory stays readable by any JSON decoder.
		return string(x)
	}
	return v
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

// shortJSONError keeps decoder errors to one short line.
func shortJSONError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "empty or truncated document"
	}
	return err.Error()
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
