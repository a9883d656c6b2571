package report

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// hostileFixDiff is a fix diff whose lines come from a hostile file: runs
// of backticks longer than a plain fence, a tilde fence, and markup.
const hostileFixDiff = "--- a/nats.conf\n+++ b/nats.conf\n@@ -1,3 +1,2 @@\n # ```` </pre><script>alert(1)</script>\n-allow_non_tls: true\n ~~~ <img src=x onerror=alert(2)> `````\n"

func fixDiffReport() *Report {
	r := hostileReport([]string{"plain"})
	r.Findings[0].Snippet = "allow_non_tls: true"
	r.Findings[0].FixDiff = hostileFixDiff
	return r
}

// TestFixDiffMarkdownInert: the diff is one fenced diff block whose text is
// the diff, whatever backticks and markup its lines hold.
func TestFixDiffMarkdownInert(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, fixDiffReport(), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "``````diff\n") {
		t.Errorf("the fence is not longer than the diff's longest backtick run:\n%s", b.String())
	}
	out, err := renderGFM(b.String())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var diffs []string
	walkDiffHTML(doc, func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && !mdElements[n.Data] && n.Data != "html" && n.Data != "head" && n.Data != "body":
			t.Errorf("the Markdown renders a <%s> element", n.Data)
		case n.Type == html.ElementNode && n.Data == "code" && diffAttr(n, "class") == "language-diff":
			diffs = append(diffs, diffTextOf(n))
		}
	})
	if len(diffs) != 1 || diffs[0] != hostileFixDiff {
		t.Errorf("diff blocks %q, want one holding %q", diffs, hostileFixDiff)
	}
}

// TestFixDiffHTMLInert: in the HTML report the diff is the text of one
// <pre class="diff"><code>, escaped: no element comes from its lines.
func TestFixDiffHTMLInert(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, fixDiffReport(), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var diffs []string
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	walkDiffHTML(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "script" || n.Data == "img" {
			t.Errorf("the HTML holds a <%s> element", n.Data)
		}
		if n.Data == "pre" && diffAttr(n, "class") == "diff" && n.FirstChild != nil {
			diffs = append(diffs, diffTextOf(n.FirstChild))
		}
	})
	if want := strings.TrimSuffix(hostileFixDiff, "\n"); len(diffs) != 1 || diffs[0] != want {
		t.Errorf("diff blocks %q, want one holding %q", diffs, want)
	}
}

// textOf is the text content of n.
func diffTextOf(n *html.Node) string {
	var b strings.Builder
	walkDiffHTML(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func walkDiffHTML(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkDiffHTML(c, fn)
	}
}

func diffAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
