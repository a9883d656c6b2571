package report

// MarkdownInlineForTest lets the external tests find a string as the
// Markdown report writes it.
var MarkdownInlineForTest = mdInline
