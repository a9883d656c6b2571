package report

import "io"

// The escapers, for renderers outside this package (the trend report):
// each string from input goes through the one for where it lands.

// MarkdownText escapes untrusted text for running Markdown text.
func MarkdownText(s string) string { return mdInline(s) }

// MarkdownCell escapes untrusted text for a Markdown table cell.
func MarkdownCell(s string) string { return mdCell(s) }

// MarkdownCode writes untrusted text as a Markdown code span.
func MarkdownCode(s string) string { return mdCode(s) }

// GuardLines breaks what would be a CI workflow command at the start of a
// line of rendered output ("::cmd::", "##[cmd]"); every format's output
// passes through it last.
func GuardLines(s string) string { return guardLines(s) }

// HTMLText makes untrusted text readable in a page that html/template
// escapes: controls and characters that hide or reorder text as escapes.
func HTMLText(s string) string { return htmlText(s) }

// ScanDate formats an RFC 3339 time as "2026-11-23 08:15 UTC".
func ScanDate(s string) string { return scanDate(s) }

// WriteJSONValue encodes v as the JSON report is encoded: indented, not
// HTML-escaped, safe to print (control and reordering characters as \u
// escapes).
func WriteJSONValue(w io.Writer, v any) error { return writeJSON(w, v) }

// MarkdownCodeCell writes untrusted text as a code span in a table cell.
func MarkdownCodeCell(s string) string { return mdCodeCell(s) }
