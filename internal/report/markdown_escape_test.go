package report

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestMDInlineExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"allow_non_tls is set", "allow_non_tls is set"},
		{"_INBOX.> and *.created", `\_INBOX.&gt; and \*.created`},
		{"<script> [x](y)", `&lt;script&gt; \[x\](y)`},
		{"set `max_age: <1h>` in *the* file", "set \\`max_age: &lt;1h&gt;\\` in \\*the\\* file"},
		{`back\slash & a|b ~x~ $y$ !z #1x`, `back\\slash &amp; a\|b \~x\~ \$y\$ \!z ` + "`#1x`"},
		{"1. first", `1\. first`},
		{"see 1. later", "see 1. later"},
		{"- a -- b -c", `\- a \-- b -c`},
		{"+ a = b ==", `\+ a \= b \==`},
		{"# a ## b", `\# a \#\# b`},
		{"line\nbreak\r\nand\ttab", "line break and tab"},
		{"https://evil.example/x www.evil.example a@b.example", "`https://evil.example/x` `www.evil.example` `a@b.example`"},
		{"see #12 and GH-3 and org/repo#4", "see `#12` and `GH-3` and `org/repo#4`"},
		{"esc\x1b[31m bidi\u202e", `esc\\x1b\[31m bidi\\u202e`},
		{"a_b _c d_ e__f", `a_b \_c d\_ e\_\_f`},
		{"", ""},
	} {
		if got := mdInline(tc.in); got != tc.want {
			t.Errorf("mdInline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMDCodeExamples(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cell bool
		want string
	}{
		{"config/nats.conf:3", false, "`config/nats.conf:3`"},
		{"a`b", false, "``a`b``"},
		{"`a", false, "`` `a ``"},
		{"a``", false, "``` a`` ```"},
		{" a ", false, "`  a  `"},
		{" a", false, "` a`"},
		{"a\nb", false, "`a b`"},
		{"a|b", false, "`a|b`"},
		{"a|b", true, "`a\\|b`"},
		{"", false, "` `"},
		{"\x1b]52;c;x\x07", false, "`\\x1b]52;c;x\\x07`"},
	} {
		if got := codeSpan(tc.in, tc.cell); got != tc.want {
			t.Errorf("codeSpan(%q, %v) = %q, want %q", tc.in, tc.cell, got, tc.want)
		}
	}
}

func TestMDFencedExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"password: x", "  ```sh\n  password: x\n  ```\n"},
		{"a ```` b", "  `````sh\n  a ```` b\n  `````\n"},
		{"~~~~~", "  ``````sh\n  ~~~~~\n  ``````\n"},
		{"a\r\nb\rc", "  ```sh\n  a\n  b\n  c\n  ```\n"},
		{"\x1b[2J\u2028x\ty", "  ```sh\n  \\x1b[2J\\u2028x\ty\n  ```\n"},
	} {
		if got := mdFenced(tc.in, "sh", "  "); got != tc.want {
			t.Errorf("mdFenced(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var codeRe = regexp.MustCompile(`(?s)<code[^>]*>(.*?)</code>`)

// TestMDEscapersAgainstGFM renders every hostile string in each of the
// places the report puts untrusted text, with a real GFM renderer, and
// checks that it reads as text, whole, and made nothing else.
func TestMDEscapersAgainstGFM(t *testing.T) {
	for _, h := range hostileStrings {
		want := normText(h)
		// Running text in a list item, wrapped as the report wraps it, and
		// as the first paragraph of a block.
		for _, md := range []string{
			wrap("**stream** at "+mdCode(h)+": "+mdInline(h)+" end.", 40, "- ", "  ") + "\n",
			mdInline(h) + "\n\n" + mdInline(h) + "\n",
			"#### " + mdInline(h) + "\n",
			"1. " + mdInline(h) + "\n",
		} {
			c := mdCheck{headings: countHeadings(mustGFM(t, md))}
			if strings.HasPrefix(md, "#### ") {
				c.headings = [4]int{0, 0, 0, 1}
			}
			c.texts = []string{h}
			for _, p := range c.problems(md) {
				t.Errorf("%q in %q: %s", h, md, p)
			}
			if c.headings[0]+c.headings[1]+c.headings[2] != 0 {
				t.Errorf("%q made a heading: %q", h, md)
			}
		}
		// A table row keeps its three cells; the middle one is the text.
		for _, cellMD := range []string{mdCell(h), mdCodeCell(h), mdCodeCell(h) + " " + mdCell(h)} {
			md := "| a | b | c |\n|---|---|---|\n| x | " + cellMD + " | y |\n"
			out := mustGFM(t, md)
			tds := strings.Split(out, "<td>")
			if len(tds) != 4 {
				t.Errorf("%q: row has %d cells, want 3:\n%s", h, len(tds)-1, out)
				continue
			}
			if got := plainText(tds[2]); !strings.Contains(got, want) && want != "" {
				t.Errorf("%q: cell reads %q, want %q", h, got, want)
			}
			if !strings.HasPrefix(strings.TrimSpace(plainText(tds[3])), "y") {
				t.Errorf("%q: last cell is %q", h, plainText(tds[3]))
			}
			for _, p := range (mdCheck{texts: []string{h}}).problems(md) {
				t.Errorf("%q in a cell: %s", h, p)
			}
		}
		// A code span holds the text exactly (line breaks as spaces).
		out := mustGFM(t, "x "+mdCode(h)+" y\n")
		codes := codeRe.FindAllStringSubmatch(out, -1)
		if len(codes) != 1 || html.UnescapeString(codes[0][1]) != nonEmpty(escapeControls(h, ctrlSpace), " ") {
			t.Errorf("code span of %q renders as %q", h, out)
		}
		// A fenced block in a list item holds every line and ends where
		// the report ends it.
		md := "- item\n\n" + mdFenced(h, "yaml", "  ") + "\nafter\n"
		out = mustGFM(t, md)
		codes = codeRe.FindAllStringSubmatch(out, -1)
		lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(h, "\r\n", "\n"), "\r", "\n"), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(escapeControls(l, ctrlCode), " ")
		}
		wantCode := strings.Join(lines, "\n") + "\n"
		if len(codes) != 1 || !strings.HasPrefix(out, "<ul>\n<li>\n<p>item</p>\n<pre><code class=\"language-yaml\">") || !strings.HasSuffix(out, "</li>\n</ul>\n<p>after</p>\n") {
			t.Errorf("fenced %q renders as\n%s", h, out)
		} else if got := html.UnescapeString(codes[0][1]); got != wantCode {
			t.Errorf("fenced %q holds %q, want %q", h, got, wantCode)
		}
	}
}

func mustGFM(t *testing.T, md string) string {
	t.Helper()
	out, err := renderGFM(md)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMDWordsKeepCodeSpans(t *testing.T) {
	got := mdWords("a `b c`  d ``e ` f`` \\` g` h")
	want := []string{"a", "`b c`", "d", "``e ` f``", "\\`", "g`", "h"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mdWords = %q, want %q", got, want)
	}
	// wrap never breaks inside a code span, however narrow.
	out := wrap("x "+mdCode("a b c d e f g")+" y", 5, "- ", "  ")
	if !strings.Contains(out, "`a b c d e f g`") {
		t.Errorf("wrap broke a code span:\n%s", out)
	}
}

func TestMDParagraphs(t *testing.T) {
	got := mdParagraphs("Raise `x` to 3:\n\n    nats stream edit\n\n```\n<b>\n```\n\n- item")
	want := []mdBlock{
		{text: "Raise \\`x\\` to 3:"},
		{text: "```\nnats stream edit\n```\n", code: true},
		{text: "```\n<b>\n```\n", code: true},
		{text: `\- item`},
	}
	if len(got) != len(want) {
		t.Fatalf("mdParagraphs = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
