package report

import (
	"bytes"
	"encoding/json"
	"io"
)

// WriteJSON renders the report as indented JSON. Strings are exact (JSON
// escapes them); the output is also safe to print (see jsonSafe). <, > and
// & are not escaped: the report is read by machines and people, never
// embedded in HTML by natsaudit, and whoever renders it must escape anyway.
func WriteJSON(w io.Writer, r *Report) error {
	c := *r
	c.ReportSHA256 = "" // the canonical form the digest is of
	var buf bytes.Buffer
	if err := writeJSON(&buf, &c); err != nil {
		return err
	}
	b, err := sealJSON(buf.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// writeJSON encodes v indented, with jsonSafe applied.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(buf.Bytes()))
	return err
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}
